namespace VendorGate.Gateway.Storage.Blobs;

/// <summary>The reading half of a blob store: what a scanner is given, so it cannot write.</summary>
public interface IBlobReader
{
    /// <summary>Reads a whole blob, or <paramref name="length"/> bytes from <paramref name="offset"/>.</summary>
    /// <exception cref="BlobNotFoundException">No such blob.</exception>
    Task<Stream> OpenReadAsync(string name, long offset = 0, long? length = null, CancellationToken cancellationToken = default);

    /// <summary>Names of the committed blobs under a prefix.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>Create-only blob storage. A blob becomes visible only when its upload is committed;
/// an upload disposed without commit leaves nothing behind.</summary>
public interface IBlobStore : IBlobReader
{
    /// <summary>Starts writing <paramref name="name"/>. Nothing is visible until <see cref="IBlobUpload.CommitAsync"/>.</summary>
    Task<IBlobUpload> StartUploadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Starts writing a scratch blob: as <see cref="StartUploadAsync"/>, but the store need not make it durable
    /// before the commit returns (an upload session's blocks: a reader checks them against their digests, and a block
    /// lost to a power cut is sent again). A store without a cheaper way writes it as any other.</summary>
    Task<IBlobUpload> StartScratchUploadAsync(string name, CancellationToken cancellationToken = default) => StartUploadAsync(name, cancellationToken);

    /// <summary>Starts writing a large blob written once in big pieces and read back as a stream, if at all, later (a
    /// batch's content and index): as <see cref="StartUploadAsync"/>, durable at the commit, but the store need not keep
    /// it in a cache meanwhile. A store without a cheaper way writes it as any other.</summary>
    Task<IBlobUpload> StartBulkUploadAsync(string name, CancellationToken cancellationToken = default) => StartUploadAsync(name, cancellationToken);

    Task DeleteIfExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Throws when the store cannot be reached (readiness).</summary>
    Task CheckAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes uploads abandoned (never committed nor disposed: a crash) and untouched for longer than
    /// <paramref name="olderThan"/>; returns how many.</summary>
    Task<int> RemoveAbandonedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default);
}

/// <summary>A blob being written. Dispose without <see cref="CommitAsync"/> to abandon it.</summary>
public interface IBlobUpload : IAsyncDisposable
{
    Stream Content { get; }

    /// <summary>Publishes the blob; fails with <see cref="BlobAlreadyExistsException"/> rather than overwrite.</summary>
    Task CommitAsync(CancellationToken cancellationToken = default);
}

public sealed class BlobAlreadyExistsException(string name) : IOException($"blob '{name}' already exists");

public sealed class BlobNotFoundException(string name) : IOException($"blob '{name}' does not exist");

/// <summary>The store could not be reached or refused: each store reports its own service's failures as this (the
/// filesystem store has none: a local I/O error is a fault, not a wait), so callers handle one exception whatever the
/// backend.</summary>
public sealed class BlobStoreUnavailableException(string message, bool transient, Exception? innerException = null) : IOException(message, innerException)
{
    /// <summary>Worth trying again later (throttled, timed out, unreachable, failing); otherwise the store refused for
    /// good (no access) until someone changes the configuration.</summary>
    public bool Transient => transient;
}

public static class BlobStoreExtensions
{
    /// <summary>A whole (small) blob: an envelope, a statement, a scan's band keys.</summary>
    /// <exception cref="BlobNotFoundException">No such blob.</exception>
    public static async Task<byte[]> ReadAllBytesAsync(this IBlobReader blobs, string name, CancellationToken cancellationToken = default)
    {
        await using var stream = await blobs.OpenReadAsync(name, cancellationToken: cancellationToken);
        if (stream.CanSeek)
        {
            // Sized at once: a MemoryStream doubles past the size, and past 85 kB each copy is a large-object
            // allocation that only a full collection reclaims (a manifest leaf is 72 kB).
            var bytes = new byte[stream.Length - stream.Position];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
            return bytes;
        }
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    /// <summary>Stores <paramref name="content"/> as <paramref name="name"/> unless a blob of that name is there already:
    /// for names that fix their content (a hash, or a result computed again the same way), where the one there is the
    /// same. Two writers racing both succeed.</summary>
    public static Task WriteOnceAsync(this IBlobStore blobs, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        blobs.WriteOnceAsync(name, content, scratch: false, cancellationToken);

    /// <summary><see cref="WriteOnceAsync(IBlobStore, string, ReadOnlyMemory{byte}, CancellationToken)"/>, as a scratch blob
    /// when <paramref name="scratch"/> (see <see cref="IBlobStore.StartScratchUploadAsync"/>).</summary>
    public static Task WriteOnceAsync(this IBlobStore blobs, string name, ReadOnlyMemory<byte> content, bool scratch, CancellationToken cancellationToken) =>
        blobs.WriteOnceAsync(name, (stream, ct) => stream.WriteAsync(content, ct).AsTask(), scratch, cancellationToken);

    /// <summary><see cref="WriteOnceAsync(IBlobStore, string, ReadOnlyMemory{byte}, bool, CancellationToken)"/> with the
    /// content written by <paramref name="write"/>: content that is not one array of bytes needs no copy first.</summary>
    public static async Task WriteOnceAsync(this IBlobStore blobs, string name, Func<Stream, CancellationToken, Task> write, bool scratch, CancellationToken cancellationToken)
    {
        if (await blobs.ExistsAsync(name, cancellationToken))
        {
            return;
        }
        await using var upload = scratch ? await blobs.StartScratchUploadAsync(name, cancellationToken) : await blobs.StartUploadAsync(name, cancellationToken);
        await write(upload.Content, cancellationToken);
        try
        {
            await upload.CommitAsync(cancellationToken);
        }
        catch (BlobAlreadyExistsException)
        {
            // the other writer's copy is the same
        }
    }
}
