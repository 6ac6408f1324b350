using VendorGate.Attest.Digests;

namespace VendorGate.Corpus;

public sealed record LineError(long Line, string Reason);

/// <summary>How large an upload and each of its lines may be. <see cref="Default"/> is the Gateway's default
/// (<c>VendorGate:Ingest:MaxLineBytes</c>, <c>MaxBatchBytes</c>).</summary>
public sealed record IngestLimits(int MaxLineBytes, long MaxBatchBytes)
{
    public static readonly IngestLimits Default = new(1 << 20, 2L << 30);
}

/// <summary>The result of streaming one upload, and how the Gateway words a refusal of it (the CLI's <c>check</c> says
/// the same).</summary>
public abstract record IngestOutcome
{
    /// <summary>The refusal as an HTTP problem (status, code, detail), or null when the content is accepted.</summary>
    public abstract Refusal? Refused { get; }

    public sealed record Accepted(long Count, byte[] Digest, long ContentBytes) : IngestOutcome
    {
        public override Refusal? Refused => null;
    }

    public sealed record InvalidLines(IReadOnlyList<LineError> Errors, bool Truncated) : IngestOutcome
    {
        public override Refusal? Refused => new(400, "invalid-lines",
            $"{(Truncated ? "At least " : "")}{Errors.Count} line(s) are invalid; nothing was kept and the batch is still open.");
    }

    public sealed record TooLarge(long Limit) : IngestOutcome
    {
        public override Refusal? Refused => new(413, "batch-too-large", $"A batch holds at most {Limit} bytes; nothing was kept.");
    }

    public sealed record Empty : IngestOutcome
    {
        public override Refusal? Refused => new(400, "empty-batch", "The body holds no examples.");
    }

    public sealed record CorruptEncoding(string Reason) : IngestOutcome
    {
        public override Refusal? Refused => new(400, "corrupt-encoding", $"The gzip body could not be decompressed ({Reason}); nothing was kept.");
    }

    /// <summary>Valid content, but not what the caller expected (a vendor-signed statement names other content).</summary>
    public sealed record Unexpected(long Count, byte[] Digest) : IngestOutcome
    {
        public override Refusal? Refused => new(400, "statement-mismatch", $"The content ({Count} examples, {BatchDigest.Format(Digest)}) "
            + "is not what the signed statement names; nothing was kept and the batch is still open.");
    }
}

public sealed record Refusal(int Status, string Code, string Detail);

/// <summary>
/// Streams an NDJSON upload once, end to end: every line validated (<see cref="ExampleShape"/>), canonicalized
/// (RFC 8785) and hashed, and written to two outputs:
/// <list type="bullet">
/// <item><c>content</c>: the canonical lines, each followed by <c>\n</c>, so each line hashes to its example digest;</item>
/// <item><c>index</c>: one 48-byte record per example (<see cref="QuarantineIndex"/>): its digest, the offset of its line in
/// content, the index of its <c>domain</c> among the batch's declared domains.</item>
/// </list>
/// Chunks of whole lines are processed in parallel and written in order, so memory stays bounded (a few chunks in
/// flight) whatever the body size. The Gateway writes to quarantine blobs and keeps them only when the outcome is
/// <see cref="IngestOutcome.Accepted"/>; the CLI's <c>check</c> writes to <see cref="Stream.Null"/>.
/// </summary>
public static class ExampleIngest
{
    private const int MaxReportedErrors = 100;
    private static readonly int MaxInFlight = Math.Max(2, Environment.ProcessorCount * 2);

    /// <param name="body">The (decompressed) NDJSON; a <see cref="VerifiedGzipStream"/>'s corruption ends as <see cref="IngestOutcome.CorruptEncoding"/>.</param>
    /// <param name="bodyBytes">The body's exact length when known (an uncompressed request's Content-Length): a smaller
    /// body is read in one chunk of its size, not of 4 MiB, so many small uploads at once hold little memory.</param>
    public static async Task<IngestOutcome> RunAsync(Stream body, Stream content, Stream index, IngestLimits limits,
        IReadOnlyList<string> declaredDomains, CancellationToken cancellationToken, long? bodyBytes = null)
    {
        var chunkSize = Math.Max(4 << 20, limits.MaxLineBytes * 2 + 2);
        var reader = new ChunkReader(body, bodyBytes is { } n && n < chunkSize ? (int)n + 1 : chunkSize);
        var output = new OrderedOutput(content, index);
        var inFlight = new Queue<Task<ProcessedChunk>>();
        try
        {
            while (await reader.ReadAsync(cancellationToken) is { } chunk)
            {
                if (reader.BytesRead > limits.MaxBatchBytes)
                {
                    return new IngestOutcome.TooLarge(limits.MaxBatchBytes);
                }
                inFlight.Enqueue(Task.Run(() => ChunkProcessor.Process(chunk, limits.MaxLineBytes, declaredDomains), cancellationToken));
                if (inFlight.Count >= MaxInFlight)
                {
                    await output.WriteAsync(await inFlight.Dequeue(), cancellationToken);
                }
                if (output.Errors.Count >= MaxReportedErrors)
                {
                    return new IngestOutcome.InvalidLines(output.Errors[..MaxReportedErrors], Truncated: true);
                }
            }
            while (inFlight.TryDequeue(out var pending))
            {
                await output.WriteAsync(await pending, cancellationToken);
            }
        }
        catch (InvalidDataException e)
        {
            return new IngestOutcome.CorruptEncoding(e.Message);
        }
        finally
        {
            await Task.WhenAll(inFlight).ContinueWith(_ => { }, TaskScheduler.Default); // let workers finish before leaving
        }

        if (output.Errors.Count > 0)
        {
            return new IngestOutcome.InvalidLines(output.Errors.Take(MaxReportedErrors).ToList(), Truncated: output.Errors.Count > MaxReportedErrors);
        }
        if (output.Digest.Count == 0)
        {
            return new IngestOutcome.Empty();
        }
        return new IngestOutcome.Accepted(output.Digest.Count, output.Digest.Finish(), output.ContentBytes);
    }

    /// <summary>Appends processed chunks in line order; after the first invalid line it only collects errors.</summary>
    private sealed class OrderedOutput(Stream content, Stream index)
    {
        public List<LineError> Errors { get; } = [];
        public BatchDigest Digest { get; } = new();
        public long ContentBytes { get; private set; }

        public async Task WriteAsync(ProcessedChunk chunk, CancellationToken cancellationToken)
        {
            Errors.AddRange(chunk.Errors);
            if (Errors.Count > 0)
            {
                ChunkProcessor.Return(chunk);
                return;
            }
            for (var i = 0; i < chunk.Count; i++)
            {
                var record = QuarantineIndex.Record(chunk.Index.AsSpan(), i);
                Digest.Append(QuarantineIndex.Digest(record));
                QuarantineIndex.Shift(record, ContentBytes); // relative to the chunk until now
            }
            await content.WriteAsync(chunk.Content.WrittenMemory, cancellationToken);
            await index.WriteAsync(chunk.Index.AsMemory(0, chunk.Count * QuarantineIndex.RecordSize), cancellationToken);
            ContentBytes += chunk.Content.Length;
            ChunkProcessor.Return(chunk);
        }
    }
}
