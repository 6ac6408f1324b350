using Microsoft.Extensions.Options;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches;

public sealed record LineError(long Line, string Reason);

/// <summary>The result of streaming one upload. Only <see cref="Accepted"/> leaves committed blobs behind.</summary>
public abstract record IngestOutcome
{
    public sealed record Accepted(long Count, byte[] Digest, long ContentBytes) : IngestOutcome;
    public sealed record InvalidLines(IReadOnlyList<LineError> Errors, bool Truncated) : IngestOutcome;
    public sealed record TooLarge(long Limit) : IngestOutcome;
    public sealed record Empty : IngestOutcome;
    public sealed record CorruptEncoding(string Reason) : IngestOutcome;

    /// <summary>Valid content, but not what the caller expected (a vendor-signed statement names other content).</summary>
    public sealed record Unexpected(long Count, byte[] Digest) : IngestOutcome;
}

/// <summary>
/// Streams an NDJSON upload once, end to end, and writes two quarantine blobs:
/// <list type="bullet">
/// <item><c>content</c>: the canonical (RFC 8785) lines, each followed by <c>\n</c>, so each line hashes to its example digest;</item>
/// <item><c>index</c>: one 48-byte record per example (<see cref="QuarantineIndex"/>): its digest, the offset of its line in
/// content, the index of its <c>domain</c> among the batch's declared domains.</item>
/// </list>
/// Chunks of whole lines are validated, canonicalized and hashed in parallel and written in order, so memory
/// stays bounded (a few chunks in flight) whatever the body size. Blobs are committed only when every line is valid.
/// </summary>
public sealed class ContentIngest(IBlobStore blobs, IOptions<VendorGateOptions> options)
{
    private const int MaxReportedErrors = 100;
    private static readonly int MaxInFlight = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>Ingests <paramref name="body"/>; <paramref name="expected"/> (given the batch digest and count) decides,
    /// before anything is committed, whether valid content is what the caller expects.</summary>
    public async Task<IngestOutcome> IngestAsync(Stream body, string contentBlob, string indexBlob,
        IReadOnlyList<string> declaredDomains, Func<string, long, bool>? expected, CancellationToken cancellationToken)
    {
        var limits = options.Value.Ingest;
        var reader = new ChunkReader(body, Math.Max(4 << 20, limits.MaxLineBytes * 2 + 2));
        await using var content = await blobs.StartUploadAsync(contentBlob, cancellationToken);
        await using var index = await blobs.StartUploadAsync(indexBlob, cancellationToken);
        var output = new OrderedOutput(content.Content, index.Content);
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
        var (count, digest) = (output.Digest.Count, output.Digest.Finish());
        if (expected is not null && !expected(BatchDigest.Format(digest), count))
        {
            return new IngestOutcome.Unexpected(count, digest);
        }
        await content.CommitAsync(cancellationToken);
        await index.CommitAsync(cancellationToken);
        return new IngestOutcome.Accepted(count, digest, output.ContentBytes);
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
