using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using VendorGate.Attest.Canonical;
using VendorGate.Attest.Digests;

namespace VendorGate.Corpus;

/// <summary>A chunk after processing: canonical lines, one index record per example (offsets relative to
/// <see cref="Content"/>; the rented array may be longer than <see cref="Count"/> records), and the invalid lines.</summary>
public sealed record ProcessedChunk(CanonicalJsonBuffer Content, byte[] Index, int Count, List<LineError> Errors);

/// <summary>Validates, canonicalizes and hashes every line of one chunk. Chunks are independent, so several
/// run at once on the thread pool.</summary>
public static class ChunkProcessor
{
    // Output buffers are a few MiB each; reusing them keeps the large-object heap quiet.
    private static readonly ConcurrentBag<CanonicalJsonBuffer> Buffers = [];

    public static void Return(ProcessedChunk chunk)
    {
        ArrayPool<byte>.Shared.Return(chunk.Index);
        chunk.Content.Clear();
        if (Buffers.Count < 32)
        {
            Buffers.Add(chunk.Content);
        }
    }

    public static ProcessedChunk Process(Chunk chunk, int maxLineBytes, IReadOnlyList<string> declaredDomains)
    {
        var content = Buffers.TryTake(out var reused) ? reused : new CanonicalJsonBuffer(chunk.Buffer.Length + chunk.Buffer.Length / 4);
        var lines = chunk.Buffer.AsSpan(0, chunk.Length).Count((byte)'\n') + 1;
        // Rented like the other chunk buffers: a few hundred KB a chunk would otherwise land on the large-object heap.
        var index = ArrayPool<byte>.Shared.Rent(lines * QuarantineIndex.RecordSize);
        index.AsSpan(0, lines * QuarantineIndex.RecordSize).Clear();
        var errors = new List<LineError>();
        var count = 0;
        if (chunk.OverlongLine)
        {
            errors.Add(new LineError(chunk.FirstLine, $"the line is longer than {maxLineBytes} bytes"));
        }
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var rest = chunk.Buffer.AsSpan(0, chunk.Length);
        for (var lineNumber = chunk.FirstLine; !rest.IsEmpty; lineNumber++)
        {
            var lineBreak = rest.IndexOf((byte)'\n');
            var line = lineBreak < 0 ? rest : rest[..lineBreak];
            rest = lineBreak < 0 ? [] : rest[(lineBreak + 1)..];
            if (line.EndsWith((byte)'\r'))
            {
                line = line[..^1];
            }

            var start = content.Length;
            if (Check(line, maxLineBytes, declaredDomains, content, out var domain) is { } reason)
            {
                content.Truncate(start);
                errors.Add(new LineError(lineNumber, reason));
                continue;
            }
            var record = QuarantineIndex.Record(index.AsSpan(), count);
            sha.AppendData(content.WrittenSpan[start..]);
            sha.GetHashAndReset(QuarantineIndex.Digest(record));
            QuarantineIndex.Write(record, start, domain);
            content.Write((byte)'\n');
            count++;
        }
        ArrayPool<byte>.Shared.Return(chunk.Buffer);
        return new ProcessedChunk(content, index, count, errors);
    }

    /// <summary>Writes the line's canonical form, or returns why the line is invalid.</summary>
    private static string? Check(ReadOnlySpan<byte> line, int maxLineBytes, IReadOnlyList<string> declaredDomains, CanonicalJsonBuffer content, out int domain)
    {
        domain = -1;
        if (line.Length > maxLineBytes)
        {
            return $"the line is longer than {maxLineBytes} bytes";
        }
        if (line.IsEmpty)
        {
            return "empty line";
        }
        try
        {
            using var document = JsonCanonicalizer.Parse(line);
            if (ExampleShape.Check(document.RootElement, declaredDomains, out domain) is { } problem)
            {
                return problem;
            }
            JsonCanonicalizer.Write(document.RootElement, content); // also rejects duplicate member names
            return null;
        }
        catch (JsonCanonicalizationException e)
        {
            return e.Message;
        }
        catch (InvalidOperationException)
        {
            // JsonElement.GetString on "\ud800": the shape check reads strings before the canonical writer would refuse it.
            return "a string holds a lone surrogate escape: not Unicode text";
        }
    }
}
