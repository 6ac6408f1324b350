using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Storage.Blobs.FileSystem;

/// <summary>Blobs as files under a root folder. Uploads go to a staging file and are renamed into place
/// without replacement, so a half-written file is never visible under its name.</summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private readonly string _root;
    private readonly string _staging;
    private readonly TimeProvider _time;

    public FileSystemBlobStore(string root, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _root = Path.GetFullPath(root);
        _staging = Path.Combine(_root, ".staging");
        Directory.CreateDirectory(_staging);
    }

    public Task<IBlobUpload> StartUploadAsync(string name, CancellationToken cancellationToken = default) => Start(name, durable: true, cached: true);

    /// <summary>Not flushed to disk at the commit, and written around the page cache where the file system allows it
    /// (<see cref="UncachedFileStream"/>): a scratch blob is seldom read back.</summary>
    public Task<IBlobUpload> StartScratchUploadAsync(string name, CancellationToken cancellationToken = default) => Start(name, durable: false, cached: false);

    /// <summary>Written around the page cache where the file system allows it (<see cref="UncachedFileStream"/>) and
    /// flushed to disk at the commit. Copying a batch's content into the page cache cost a quarter of a single
    /// <c>PUT</c>'s CPU (<c>bash scripts/bench.sh ingest</c>); its scan reads it once, in a stream, from the disk.</summary>
    public Task<IBlobUpload> StartBulkUploadAsync(string name, CancellationToken cancellationToken = default) => Start(name, durable: true, cached: false);

    private Task<IBlobUpload> Start(string name, bool durable, bool cached)
    {
        var staged = Path.Combine(_staging, Guid.NewGuid().ToString("N"));
        var stream = (cached ? null : UncachedFileStream.TryCreate(staged))
            ?? (Stream)new FileStream(staged, SecretFile.Options(FileMode.CreateNew, FileOptions.Asynchronous));
        return Task.FromResult<IBlobUpload>(new Upload(stream, staged, PathOf(name), name, durable));
    }

    public Task<Stream> OpenReadAsync(string name, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        FileStream file;
        try
        {
            file = new FileStream(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(name);
        }
        file.Seek(offset, SeekOrigin.Begin);
        Stream result = length is { } n ? new BoundedReadStream(file, n) : file;
        return Task.FromResult(result);
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        // From the prefix's folder, not the whole store: "uploads/ab12/" lists one session's blocks, not every blob.
        var folder = prefix.LastIndexOf('/') is > 0 and var slash && !prefix.StartsWith('.') ? PathOf(prefix[..slash]) : _root;
        if (!Directory.Exists(folder))
        {
            yield break;
        }
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!name.StartsWith('.') && name.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return name;
            }
        }
    }

    /// <summary>Where uploads are written before they are committed.</summary>
    internal string StagingDirectory => _staging;

    /// <summary>Uploads in progress or abandoned by a crash (tests check that none are left).</summary>
    public int StagedCount => Directory.EnumerateFiles(_staging).Count();

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(PathOf(name)));

    public Task DeleteIfExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        File.Delete(PathOf(name));
        return Task.CompletedTask;
    }

    public Task CheckAsync(CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(_staging))
        {
            throw new IOException($"blob folder {_root} is missing");
        }
        return Task.CompletedTask;
    }

    public Task<int> RemoveAbandonedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        var cutoff = _time.GetUtcNow().UtcDateTime - olderThan;
        var removed = 0;
        foreach (var file in new DirectoryInfo(_staging).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc >= cutoff)
            {
                continue;
            }
            try
            {
                file.Delete();
                removed++;
            }
            catch (IOException)
            {
                // In use after all, or gone already: the next sweep sees it again.
            }
        }
        return Task.FromResult(removed);
    }

    private string PathOf(string name)
    {
        var path = Path.GetFullPath(Path.Combine(_root, name));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || name.StartsWith('.'))
        {
            throw new ArgumentException($"invalid blob name '{name}'", nameof(name));
        }
        return path;
    }

    private sealed class Upload(Stream stream, string staged, string final, string name, bool durable) : IBlobUpload
    {
        private bool _committed;

        public Stream Content => stream;

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            await stream.FlushAsync(cancellationToken);
            if (durable)
            {
                if (stream is UncachedFileStream uncached)
                {
                    uncached.FlushToDisk();
                }
                else
                {
                    ((FileStream)stream).Flush(flushToDisk: true);
                }
            }
            await stream.DisposeAsync();
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            try
            {
                File.Move(staged, final, overwrite: false);
            }
            catch (IOException) when (File.Exists(final))
            {
                throw new BlobAlreadyExistsException(name);
            }
            _committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            if (!_committed)
            {
                File.Delete(staged);
            }
        }
    }
}
