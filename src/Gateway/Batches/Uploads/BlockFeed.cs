using System.Security.Cryptography;
using VendorGate.Corpus;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches.Uploads;

/// <summary>A stored block of an upload session: its number (from 0), blob and SHA-256.</summary>
internal sealed record StoredBlock(int Number, string Blob, byte[] Sha256)
{
    public static StoredBlock Of(UploadBlock block) => new(block.Number, block.Blob, block.Sha256);
}

/// <summary>A stored block is not the bytes its digest names: written as a scratch blob, it was lost to a power cut
/// (or changed on disk) before the commit read it.</summary>
internal sealed class StoredBlockLostException(int number) : IOException($"stored block {number} does not match its digest")
{
    public int Number => number;
}

/// <summary>
/// An upload session's blocks read in order as one stream while they arrive: block n is read once it is stored
/// (<see cref="Offer"/>), and the stream ends after the blocks the commit names (<see cref="End"/>). It remembers the
/// digest of every block it has read, so the commit can tell whether what was read is what it commits (a block sent
/// again with other bytes after it was read is not).
/// <para>Blocks are scratch blobs, not flushed to disk when stored. A feed that follows them as they arrive reads what
/// this process has just written; one that reads them later (<see cref="Of"/>: after a restart, say) checks each
/// against its digest and throws <see cref="StoredBlockLostException"/> for one that does not match.</para>
/// </summary>
internal sealed class BlockFeed(IBlobReader blobs, bool verify = false) : ReadOnlyStream
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, StoredBlock> _stored = [];
    private readonly List<byte[]> _read = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int? _end;
    private bool _stale;
    private Stream? _current;
    private StoredBlock? _currentBlock;
    private IncrementalHash? _hash;

    /// <summary>The blocks, all stored, read one after another, each checked against its digest.</summary>
    public static BlockFeed Of(IBlobReader blobs, IReadOnlyList<StoredBlock> blocks)
    {
        var feed = new BlockFeed(blobs, verify: true);
        feed.End(blocks);
        return feed;
    }

    /// <summary>How many blocks have been read (opened) so far.</summary>
    public int BlocksRead
    {
        get
        {
            lock (_gate)
            {
                return _read.Count;
            }
        }
    }

    /// <summary>A block was stored (again): read it when its turn comes.</summary>
    public void Offer(StoredBlock block)
    {
        lock (_gate)
        {
            if (_end is not null)
            {
                return; // the commit named its blocks
            }
            if (block.Number < _read.Count)
            {
                _stale |= !CryptographicOperations.FixedTimeEquals(block.Sha256, _read[block.Number]);
                return;
            }
            _stored[block.Number] = block;
            Signal();
        }
    }

    /// <summary>Ends the stream after <paramref name="blocks"/> (0 to n, as committed). False when what was read is not
    /// their beginning: the stream is of no use then.</summary>
    public bool End(IReadOnlyList<StoredBlock> blocks)
    {
        lock (_gate)
        {
            if (_stale || blocks.Count < _read.Count || Enumerable.Range(0, _read.Count).Any(i => !CryptographicOperations.FixedTimeEquals(blocks[i].Sha256, _read[i])))
            {
                return false;
            }
            foreach (var block in blocks.Skip(_read.Count))
            {
                _stored[block.Number] = block;
            }
            _end = blocks.Count;
            Signal();
            return true;
        }
    }

    private void Signal()
    {
        var arrived = _arrived;
        _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        arrived.TrySetResult();
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_current is not null)
            {
                var n = await _current.ReadAsync(buffer, cancellationToken);
                if (n > 0 || buffer.IsEmpty)
                {
                    _hash?.AppendData(buffer.Span[..n]);
                    return n;
                }
                await _current.DisposeAsync();
                _current = null;
                if (_hash is not null && !CryptographicOperations.FixedTimeEquals(_hash.GetHashAndReset(), _currentBlock!.Sha256))
                {
                    throw new StoredBlockLostException(_currentBlock.Number);
                }
            }
            StoredBlock? next;
            Task arrived;
            lock (_gate)
            {
                if (_read.Count == _end)
                {
                    return 0;
                }
                if (_stored.Remove(_read.Count, out next))
                {
                    _read.Add(next.Sha256);
                }
                arrived = _arrived.Task;
            }
            if (next is null)
            {
                await arrived.WaitAsync(cancellationToken);
                continue;
            }
            try
            {
                _current = await blobs.OpenReadAsync(next.Blob, cancellationToken: cancellationToken);
            }
            catch (BlobNotFoundException)
            {
                throw new StoredBlockLostException(next.Number);
            }
            _currentBlock = next;
            _hash ??= verify ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _hash?.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
        }
        _hash?.Dispose();
    }
}
