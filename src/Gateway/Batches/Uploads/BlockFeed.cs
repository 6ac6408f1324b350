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
/// <para>A block stored when it is the next one to read is read from its request's memory instead of from its blob
/// (<see cref="OfferAsync"/>: the request waits until it has been read), so blocks sent in order are written once and
/// never read back.</para>
/// <para>Blocks are scratch blobs, not flushed to disk when stored. A feed that follows them as they arrive reads what
/// this process has just written; one that reads them later (<see cref="Of"/>: after a restart, say) checks each
/// against its digest and throws <see cref="StoredBlockLostException"/> for one that does not match.</para>
/// </summary>
internal sealed class BlockFeed(IBlobReader blobs, bool verify = false) : ReadOnlyStream
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, StoredBlock> _stored = [];
    private readonly Dictionary<int, HeldBlock> _held = [];
    private readonly List<byte[]> _read = [];
    private bool _closed;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int? _end;
    private bool _stale;
    private Stream? _current;
    private StoredBlock? _currentBlock;
    private HeldBlock? _currentHeld;
    private IncrementalHash? _hash;

    /// <summary>A stored block whose bytes its request holds until the stream has read them (<see cref="Read"/> true),
    /// or until the stream will not (false: it is read from its blob if at all).</summary>
    private sealed class HeldBlock(StoredBlock block, ReadOnlyMemory<byte> bytes)
    {
        public StoredBlock Block => block;
        public ReadOnlyMemory<byte> Left { get; set; } = bytes;
        public TaskCompletionSource<bool> Read { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

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
            Store(block);
        }
    }

    /// <summary>A block was stored (again) and its <paramref name="bytes"/> are at hand: when it is the next to read
    /// (every block before it read or held), it is read from them, and this waits until it has been (true); otherwise,
    /// or when the stream stops reading first, it is offered as stored (false). The bytes are the caller's again when
    /// this returns.</summary>
    public async Task<bool> OfferAsync(StoredBlock block, ReadOnlyMemory<byte> bytes)
    {
        HeldBlock held;
        lock (_gate)
        {
            if (_closed || _end is not null || block.Number != NextToHold())
            {
                Store(block);
                return false;
            }
            _stored.Remove(block.Number); // sent before and stored: this one is newer
            _held[block.Number] = held = new HeldBlock(block, bytes);
            Signal();
        }
        return await held.Read.Task;
    }

    private void Store(StoredBlock block)
    {
        if (_end is not null)
        {
            return; // the commit named its blocks
        }
        var read = block.Number < _read.Count ? _read[block.Number] : _held.GetValueOrDefault(block.Number)?.Block.Sha256;
        if (read is not null)
        {
            _stale |= !CryptographicOperations.FixedTimeEquals(block.Sha256, read);
            return;
        }
        _stored[block.Number] = block;
        Signal();
    }

    /// <summary>The first block neither read nor held.</summary>
    private int NextToHold()
    {
        var next = _read.Count;
        while (_held.ContainsKey(next))
        {
            next++;
        }
        return next;
    }

    /// <summary>The stream will read no more (its run has ended, at an invalid line say): held blocks are given back to
    /// their requests, and none is held from now on.</summary>
    public void StopHolding()
    {
        lock (_gate)
        {
            _closed = true;
            Unhold();
        }
    }

    /// <summary>Held blocks not yet being read go back to their requests; they stay offered as stored.</summary>
    private void Unhold()
    {
        foreach (var held in _held.Values)
        {
            _stored.TryAdd(held.Block.Number, held.Block);
            held.Read.TrySetResult(false);
        }
        _held.Clear();
    }

    /// <summary>Ends the stream after <paramref name="blocks"/> (0 to n, as committed). False when what was read is not
    /// their beginning: the stream is of no use then.</summary>
    public bool End(IReadOnlyList<StoredBlock> blocks)
    {
        lock (_gate)
        {
            Unhold(); // the commit did not wait for their requests: read them from their blobs
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
            if (_currentHeld is { } held)
            {
                var n = Math.Min(buffer.Length, held.Left.Length);
                held.Left[..n].CopyTo(buffer);
                held.Left = held.Left[n..];
                if (held.Left.IsEmpty)
                {
                    _currentHeld = null;
                    held.Read.TrySetResult(true);
                }
                if (n > 0 || buffer.IsEmpty)
                {
                    return n;
                }
                continue;
            }
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
                if (_held.Remove(_read.Count, out var handed))
                {
                    _read.Add(handed.Block.Sha256);
                    _currentHeld = handed;
                    continue;
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
            Release();
            _current?.Dispose();
            _hash?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Nothing more is read: held blocks, and one half read, go back to their requests.</summary>
    private void Release()
    {
        StopHolding();
        _currentHeld?.Read.TrySetResult(false);
    }

    public override async ValueTask DisposeAsync()
    {
        Release();
        if (_current is not null)
        {
            await _current.DisposeAsync();
        }
        _hash?.Dispose();
    }
}
