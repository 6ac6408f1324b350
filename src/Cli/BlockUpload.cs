using System.Buffers;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using VendorGate.Client;

namespace VendorGate.Cli;

/// <summary>How far an upload has got: the file read, the blocks sent and those the Gateway already held.</summary>
public sealed record UploadProgress(long FileBytesRead, int BlocksSent, int BlocksReused, int? LastBlock);

/// <summary>
/// Sends a file's content as the numbered blocks of an upload session, gzip-compressed on the way unless it is gzip
/// already or compression is off. The compression is deterministic, so a second run cuts the same blocks: a block the
/// session already holds with the same SHA-256 is not sent again, which is how an interrupted upload resumes. Three blocks
/// are in flight at a time; a block whose PUT fails transiently (a 5xx, a dropped connection) is sent again up to three
/// times before the upload gives up (and can be resumed).
/// </summary>
public sealed class BlockUpload(VendorGateClient client, UploadSessionView session, IProgress<UploadProgress> progress)
{
    private const int InFlight = 3;
    private static readonly TimeSpan[] Retries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9)];

    private readonly Dictionary<int, string> _held = session.Blocks.ToDictionary(b => b.Number, b => b.Sha256);
    private readonly SemaphoreSlim _slots = new(InFlight);
    private readonly List<Task> _sending = [];
    private readonly Lock _lock = new();
    private long _fileBytesRead, _bytesSent;
    private int _sent, _reused;

    public int BlocksSent => _sent;
    public int BlocksReused => _reused;
    public long BytesSent => _bytesSent;

    /// <param name="compress">Gzip the file on the way (it is plain NDJSON and the session's encoding is gzip).</param>
    public async Task SendAsync(string file, bool compress, CancellationToken ct)
    {
        await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var blocks = new BlockCutter(session.BlockSize, SendBlockAsync);
        var gzip = compress ? new GZipStream(blocks, CompressionLevel.Fastest, leaveOpen: true) : null;
        var sink = (Stream?)gzip ?? blocks;
        var buffer = new byte[1 << 20];
        int n;
        while ((n = await input.ReadAsync(buffer, ct)) > 0)
        {
            await sink.WriteAsync(buffer.AsMemory(0, n), ct);
            Interlocked.Add(ref _fileBytesRead, n);
            Report(null);
        }
        if (gzip is not null)
        {
            await gzip.DisposeAsync(); // writes the rest and the trailer
        }
        await blocks.FinishAsync(ct);
        await Task.WhenAll(_sending);
    }

    private async Task SendBlockAsync(int number, byte[] block, int length, CancellationToken ct)
    {
        lock (_lock)
        {
            // A failed block ends the upload at the next block rather than after the whole file.
            if (_sending.FirstOrDefault(t => t.IsFaulted) is { } failed)
            {
                ArrayPool<byte>.Shared.Return(block);
                failed.GetAwaiter().GetResult();
            }
            _sending.RemoveAll(t => t.IsCompletedSuccessfully);
        }
        var sha = Convert.ToHexStringLower(SHA256.HashData(block.AsSpan(0, length)));
        if (_held.TryGetValue(number, out var held) && held == sha)
        {
            ArrayPool<byte>.Shared.Return(block);
            Interlocked.Increment(ref _reused);
            Report(number);
            return;
        }
        await _slots.WaitAsync(ct);
        var sending = Task.Run(async () =>
        {
            try
            {
                await PutWithRetriesAsync(number, block.AsMemory(0, length), ct);
                Interlocked.Increment(ref _sent);
                Interlocked.Add(ref _bytesSent, length);
                Report(number);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(block);
                _slots.Release();
            }
        }, ct);
        lock (_lock)
        {
            _sending.Add(sending);
        }
    }

    private async Task PutWithRetriesAsync(int number, ReadOnlyMemory<byte> block, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.PutUploadBlockAsync(session.BatchId, session.Id, number, block, ct);
                return;
            }
            catch (Exception e) when (attempt < Retries.Length && Transient(e) && !ct.IsCancellationRequested)
            {
                await Task.Delay(Retries[attempt], ct);
            }
        }
    }

    private static bool Transient(Exception e) => e switch
    {
        VendorGateProblemException p => (int)p.Status >= 500 || p.Status == HttpStatusCode.TooManyRequests || p.Code == "block-conflict",
        HttpRequestException => true,
        _ => false,
    };

    private void Report(int? block) =>
        progress.Report(new UploadProgress(Interlocked.Read(ref _fileBytesRead), _sent, _reused, block));

    /// <summary>Cuts what is written to it into blocks of the session's size (pooled buffers) and hands each full block
    /// on; <see cref="FinishAsync"/> hands on the last, shorter one.</summary>
    private sealed class BlockCutter(int blockSize, Func<int, byte[], int, CancellationToken, Task> send) : WriteOnlyStream
    {
        private byte[] _block = ArrayPool<byte>.Shared.Rent(blockSize);
        private int _filled, _number;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!buffer.IsEmpty)
            {
                var n = Math.Min(buffer.Length, blockSize - _filled);
                buffer[..n].CopyTo(_block.AsMemory(_filled));
                (_filled, buffer) = (_filled + n, buffer[n..]);
                if (_filled == blockSize)
                {
                    await HandOnAsync(cancellationToken);
                }
            }
        }

        public async Task FinishAsync(CancellationToken ct)
        {
            if (_filled > 0)
            {
                await HandOnAsync(ct);
            }
        }

        private async Task HandOnAsync(CancellationToken ct)
        {
            var (block, length) = (_block, _filled);
            (_block, _filled) = (ArrayPool<byte>.Shared.Rent(blockSize), 0);
            await send(_number++, block, length, ct);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && _block.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_block);
                _block = [];
            }
            base.Dispose(disposing);
        }
    }
}
