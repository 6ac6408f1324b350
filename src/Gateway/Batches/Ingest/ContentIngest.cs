using Microsoft.Extensions.Options;
using VendorGate.Corpus;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches;

/// <summary>
/// Streams an NDJSON upload through <see cref="ExampleIngest"/> into two quarantine blobs, <c>content</c> and
/// <c>index</c>, and commits them only when every line is valid and the content is what the caller expects.
/// </summary>
public sealed class ContentIngest(IBlobStore blobs, IOptions<VendorGateOptions> options)
{
    /// <summary>Ingests <paramref name="body"/>; <paramref name="expected"/> (given the batch digest and count) decides,
    /// before anything is committed, whether valid content is what the caller expects.</summary>
    public async Task<IngestOutcome> IngestAsync(Stream body, string contentBlob, string indexBlob,
        IReadOnlyList<string> declaredDomains, Func<string, long, bool>? expected, CancellationToken cancellationToken)
    {
        var limits = options.Value.Ingest;
        await using var content = await blobs.StartUploadAsync(contentBlob, cancellationToken);
        await using var index = await blobs.StartUploadAsync(indexBlob, cancellationToken);
        var outcome = await ExampleIngest.RunAsync(body, content.Content, index.Content, new IngestLimits(limits.MaxLineBytes, limits.MaxBatchBytes),
            declaredDomains, expected, cancellationToken);
        if (outcome is IngestOutcome.Accepted)
        {
            await content.CommitAsync(cancellationToken);
            await index.CommitAsync(cancellationToken);
        }
        return outcome;
    }
}
