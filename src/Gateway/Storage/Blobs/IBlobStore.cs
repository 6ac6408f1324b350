namespace VendorGate.Gateway.Storage.Blobs;

/// <summary>Create-only blob storage. A blob becomes visible only when its upload is committed;
/// an upload disposed without commit leaves nothing behind.</summary>
public interface IBlobStore
{
    /// <summary>Starts writing <paramref name="name"/>. Nothing is visible until <see cref="IBlobUpload.CommitAsync"/>.</summary>
    Task<IBlobUpload> StartUploadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Reads a whole blob, or <paramref name="length"/> bytes from <paramref name="offset"/>.</summary>
    /// <exception cref="BlobNotFoundException">No such blob.</exception>
    Task<Stream> OpenReadAsync(string name, long offset = 0, long? length = null, CancellationToken cancellationToken = default);

    /// <summary>Names of the committed blobs under a prefix.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);

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
