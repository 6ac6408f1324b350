using Azure;
using VendorGate.Corpus;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Storage.Blobs.AzureBlob;

/// <summary>A blob's content as Azure Storage streams it, with a failure part-way through (the connection dropped, the
/// service gave up after its retries) reported as the store's <see cref="BlobStoreUnavailableException"/>, as a failure
/// to open it is: the request that was reading answers 503 <c>storage-unavailable</c>, not 500.</summary>
internal sealed class ClassifiedReadStream(Stream inner) : WrappingReadStream(inner)
{
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Inner.Read(buffer);
        }
        catch (Exception e) when (Classify(e) is { } unavailable)
        {
            throw unavailable;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (Classify(e) is { } unavailable)
        {
            throw unavailable;
        }
    }

    private static BlobStoreUnavailableException? Classify(Exception e) => e switch
    {
        RequestFailedException failed => AzureBlobStore.Unavailable(failed),
        AggregateException { InnerExceptions: [var first, ..] } => Classify(first),
        BlobStoreUnavailableException => null,
        IOException io => new BlobStoreUnavailableException($"Azure Blob Storage stopped part-way through a read: {io.Message}", transient: true, io),
        _ => null,
    };
}
