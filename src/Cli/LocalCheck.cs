using VendorGate.Attest.Digests;
using VendorGate.Corpus;

namespace VendorGate.Cli;

/// <summary>What <c>vendorgate check</c> found: the batch digest and count the Gateway will compute, or why it would refuse.</summary>
public sealed record CheckResult(IngestOutcome Outcome, bool Gzip, long FileBytes)
{
    public bool Valid => Outcome is IngestOutcome.Accepted;

    public string? Digest => Outcome is IngestOutcome.Accepted a ? BatchDigest.Format(a.Digest) : null;

    public long Count => Outcome is IngestOutcome.Accepted a ? a.Count : 0;

    public IReadOnlyList<LineError> Errors => Outcome is IngestOutcome.InvalidLines lines ? lines.Errors : [];
}

/// <summary>Runs a file through the Gateway's own ingest (<see cref="ExampleIngest"/>) with nothing kept: the same line
/// errors, limits and digests as an upload, before anything is sent. A gzip file (by its magic bytes) is checked as
/// the Gateway checks a gzip upload, trailer included.</summary>
public static class LocalCheck
{
    public static async Task<CheckResult> RunAsync(string file, IReadOnlyList<string> domains, IngestLimits limits, Stream? digests, CancellationToken ct)
    {
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            throw new UsageException($"{file}: no such file.");
        }
        var gzip = IsGzip(file);
        await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var body = gzip ? new VerifiedGzipStream(input) : (Stream)input;
        await using var index = digests is null ? Stream.Null : new DigestsOnly(digests);
        var outcome = await ExampleIngest.RunAsync(body, Stream.Null, index, limits, domains, ct);
        return new CheckResult(outcome, gzip, info.Length);
    }

    public static bool IsGzip(string file)
    {
        using var input = File.OpenRead(file);
        Span<byte> magic = stackalloc byte[2];
        return input.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>Writes each example's digest (<c>sha256:&lt;hex&gt;</c>, one per line, in order) from the 48-byte index records.</summary>
    private sealed class DigestsOnly(Stream output) : WriteOnlyStream
    {
        private readonly byte[] _pending = new byte[QuarantineIndex.RecordSize];
        private int _filled;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var text = new System.Text.StringBuilder();
            while (!buffer.IsEmpty)
            {
                var n = Math.Min(buffer.Length, _pending.Length - _filled);
                buffer.Span[..n].CopyTo(_pending.AsSpan(_filled));
                (_filled, buffer) = (_filled + n, buffer[n..]);
                if (_filled == _pending.Length)
                {
                    text.Append("sha256:").Append(Convert.ToHexStringLower(QuarantineIndex.Digest(_pending.AsSpan()))).Append('\n');
                    _filled = 0;
                }
            }
            await output.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text.ToString()), cancellationToken);
        }
    }
}
