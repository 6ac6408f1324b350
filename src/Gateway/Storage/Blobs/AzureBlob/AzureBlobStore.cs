using System.Buffers;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace VendorGate.Gateway.Storage.Blobs.AzureBlob;

/// <summary>Blobs in one Azure Blob Storage container. Uploads stage blocks (MD5-validated) and commit the
/// block list with <c>If-None-Match: *</c>: uncommitted blocks are never visible and never overwrite. A blob of one
/// block or less (most of them: statements, indexes, manifest chunks, small batches) is put in one request, under the
/// same condition and validation. The service's failures (after the client's own retries) surface as
/// <see cref="BlobStoreUnavailableException"/>.</summary>
public sealed class AzureBlobStore(BlobContainerClient container) : IBlobStore
{
    public async Task EnsureContainerAsync(CancellationToken cancellationToken = default) =>
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

    public Task<IBlobUpload> StartUploadAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult<IBlobUpload>(new BlockUpload(container.GetBlockBlobClient(name), name));

    public async Task<Stream> OpenReadAsync(string name, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await container.GetBlobClient(name).DownloadStreamingAsync(
                new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken);
            return new ClassifiedReadStream(response.Value.Content);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new BlobNotFoundException(name);
        }
        catch (RequestFailedException e)
        {
            throw Unavailable(e);
        }
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var blobs = container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await Classified(async () => await blobs.MoveNextAsync())) // each page is a request
        {
            yield return blobs.Current.Name;
        }
    }

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Classified(async () => (await container.GetBlobClient(name).ExistsAsync(cancellationToken)).Value);

    public Task DeleteIfExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Classified(async () => (await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value);

    public Task CheckAsync(CancellationToken cancellationToken = default) =>
        Classified(async () => await container.GetPropertiesAsync(cancellationToken: cancellationToken));

    /// <summary>Azure Storage's failure as the store's: throttling (429, 503 ServerBusy), timeouts, server errors and a
    /// transport that failed (status 0) are transient; the rest (403 no access, 400) are not.</summary>
    internal static BlobStoreUnavailableException Unavailable(RequestFailedException e) =>
        new(e.Status == 0 ? $"Azure Blob Storage is unreachable: {e.Message.Split('\n')[0]}"
                : $"Azure Blob Storage answered {e.Status}{(e.ErrorCode is { } code ? $" ({code})" : "")}",
            transient: e.Status is 0 or 408 or 429 or >= 500, e);

    private static async Task<T> Classified<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestFailedException e)
        {
            throw Unavailable(e);
        }
    }

    /// <summary>Nothing to do: an abandoned upload is uncommitted blocks, which Azure Storage discards after a week and
    /// which are never visible as a blob.</summary>
    public Task<int> RemoveAbandonedAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) => Task.FromResult(0);

    private static readonly BlobRequestConditions CreateOnly = new() { IfNoneMatch = ETag.All };
    private static readonly UploadTransferValidationOptions Md5 = new() { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 };

    private sealed class BlockUpload(BlockBlobClient blob, string name) : IBlobUpload
    {
        private readonly BlockStream _stream = new(blob);

        public Stream Content => _stream;

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                if (_stream.Unstaged() is { } whole)
                {
                    await blob.UploadAsync(whole, new BlobUploadOptions { Conditions = CreateOnly, TransferValidation = Md5 }, cancellationToken);
                    return;
                }
                var blockIds = await _stream.FinishAsync(cancellationToken);
                await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions { Conditions = CreateOnly }, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                throw new BlobAlreadyExistsException(name);
            }
            catch (RequestFailedException e)
            {
                throw Unavailable(e);
            }
        }

        // Staged, uncommitted blocks are invisible and expire on their own.
        public ValueTask DisposeAsync() => _stream.DisposeAsync();
    }

    /// <summary>Buffers writes into 4 MiB blocks and stages each, one in flight while the next fills. The buffers are
    /// rented, and grow with what is written: a small blob (most batches' index, a manifest chunk, a statement) holds
    /// a buffer of its size, not two of 4 MiB, so many uploads at once stay small.</summary>
    private sealed class BlockStream(BlockBlobClient blob) : Stream
    {
        private const int BlockSize = 4 << 20;
        private const int FirstBuffer = 64 << 10;
        private static readonly BlockBlobStageBlockOptions StageOptions = new() { TransferValidation = Md5 };

        private readonly List<string> _blockIds = [];
        private byte[] _filling = [];
        private byte[]? _spare;
        private int _filled;
        private Task _inFlight = Task.CompletedTask;
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                await FillAsync(buffer, cancellationToken);
            }
            catch (RequestFailedException e) // the previous block's staging
            {
                throw Unavailable(e);
            }
        }

        private async Task FillAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
        {
            while (!buffer.IsEmpty)
            {
                var n = Math.Min(buffer.Length, BlockSize - _filled);
                Reserve(_filled + n);
                buffer[..n].CopyTo(_filling.AsMemory(_filled));
                _filled += n;
                _length += n;
                buffer = buffer[n..];
                if (_filled == BlockSize)
                {
                    await StageFilledAsync(cancellationToken);
                }
            }
        }

        /// <summary>Grows the filling buffer to hold <paramref name="bytes"/> (at most a block), doubling from 64 KiB.</summary>
        private void Reserve(int bytes)
        {
            if (bytes <= _filling.Length)
            {
                return;
            }
            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(BlockSize, Math.Max(FirstBuffer, Math.Max(bytes, _filling.Length * 2))));
            _filling.AsSpan(0, _filled).CopyTo(grown);
            Return(_filling);
            _filling = grown;
        }

        private static void Return(byte[]? buffer)
        {
            if (buffer is { Length: > 0 })
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        /// <summary>The whole content when no block has been staged (it fits one block), else null.</summary>
        public Stream? Unstaged() => _blockIds.Count == 0 ? new MemoryStream(_filling, 0, _filled, writable: false) : null;

        public async Task<List<string>> FinishAsync(CancellationToken cancellationToken)
        {
            if (_filled > 0)
            {
                await StageFilledAsync(cancellationToken);
            }
            await _inFlight;
            return _blockIds;
        }

        private async Task StageFilledAsync(CancellationToken cancellationToken)
        {
            await _inFlight;
            var blockId = Convert.ToBase64String(BitConverter.GetBytes((long)_blockIds.Count));
            _blockIds.Add(blockId);
            var content = new MemoryStream(_filling, 0, _filled, writable: false);
            _inFlight = blob.StageBlockAsync(blockId, content, StageOptions, cancellationToken);
            (_filling, _spare) = (_spare ?? [], _filling); // the spare is free: the block before it has been staged
            _filled = 0;
        }

        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await _inFlight;
            }
            catch (RequestFailedException)
            {
                // Abandoned upload: a failed stage leaves nothing visible either.
            }
            Return(_filling);
            Return(_spare);
            (_filling, _spare) = ([], null);
            await base.DisposeAsync();
        }
    }
}
