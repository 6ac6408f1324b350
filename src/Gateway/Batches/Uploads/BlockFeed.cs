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
/// <para>A block among the next few to read is held in its request's memory (<see cref="TryHold"/>) and read from
/// there while the request stores it (<see cref="LetGoAsync"/>: the request waits until it has been read), so blocks
/// sent in order, a few in flight, are written once and never read back.</para>
/// <para>Blocks are scratch blobs, not flushed to disk when stored. A feed that follows them as they arrive reads what
/// this process has just written; one that reads them later (<see cref="Of"/>: after a restart, say) checks each
/// against its digest and throws <see cref="StoredBlockLostException"/> for one that does not match.</para>
/// </summary>
internal sealed class BlockFeed(IBlobReader blobs, bool verify = false) : ReadOnlyStream
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, StoredBlock> _stored = [];
    private readonly Dictionary<int, HeldBlock> _held = [];
    private readonly Dictionary<int, int> _arriving = []; // block number → requests receiving it
    private readonly List<byte[]> _read = [];
    private bool _closed;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int? _end;
    private bool _stale;
    private Stream? _current;
    private StoredBlock? _currentBlock;
    private HeldBlock? _currentHeld;
    private IncrementalHash? _hash;

    /// <summary>A block whose bytes its request holds (while it stores the block) until the stream has read them
    /// (<see cref="Read"/> true), or until the stream will not (false: it is read from its blob if at all).</summary>
    internal sealed class HeldBlock(BlockFeed feed, StoredBlock block, ReadOnlyMemory<byte> bytes)
    {
        public BlockFeed Feed => feed;
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

    /// <summary>How many blocks from the next one to read a feed holds in their requests' memory: as many as a client
    /// has in flight, with room to spare (the CLI sends three at a time).</summary>
    public const int HoldAhead = 8;

    /// <summary>A request has begun to receive block <paramref name="number"/>: blocks after it may be held meanwhile,
    /// as it is on its way. Dispose the handle when the request ends.</summary>
    public IDisposable Arriving(int number)
    {
        lock (_gate)
        {
            _arriving[number] = _arriving.GetValueOrDefault(number) + 1;
        }
        return new Arrival(this, number);
    }

    private sealed class Arrival(BlockFeed feed, int number) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 1)
            {
                return;
            }
            lock (feed._gate)
            {
                if (--feed._arriving[number] == 0)
                {
                    feed._arriving.Remove(number);
                }
                feed.Signal(); // a block held behind it may now be behind a gap
            }
        }
    }

    /// <summary>Every block before <paramref name="number"/> not yet read is held, stored or on its way: the stream
    /// will come to <paramref name="number"/> without waiting for a block no one is sending.</summary>
    private bool Reaches(int number)
    {
        for (var k = _read.Count; k < number; k++)
        {
            if (!_held.ContainsKey(k) && !_stored.ContainsKey(k) && !_arriving.ContainsKey(k))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A block whose digest was checked and whose <paramref name="bytes"/> are at hand, perhaps not stored yet:
    /// when it is among the next <see cref="HoldAhead"/> to read, every block before it is coming, and it is not held
    /// already, it is held, to be read from the bytes when its turn comes; pass the handle to <see cref="LetGoAsync"/>,
    /// which says when the bytes are the caller's again. Null otherwise: nothing is held, and the block is
    /// <see cref="Offer"/>ed once stored.</summary>
    public HeldBlock? TryHold(StoredBlock block, ReadOnlyMemory<byte> bytes)
    {
        lock (_gate)
        {
            var number = block.Number;
            if (_closed || _end is not null || number < _read.Count || number >= _read.Count + HoldAhead || _held.ContainsKey(number) || !Reaches(number))
            {
                return null;
            }
            _stored.Remove(number); // sent before and stored: this one is newer
            var held = new HeldBlock(this, block, bytes);
            _held[number] = held;
            Signal();
            return held;
        }
    }

    /// <summary>Returns once a held block's bytes are the caller's again: true when the stream read them. A block the
    /// stream has not begun to read is let go when <paramref name="stored"/> is false (storing it failed: the client
    /// sends it again), when a block before it stops coming (its request failed), or after
    /// <paramref name="patience"/>; a stored block let go is read from its blob when its turn comes.</summary>
    public async Task<bool> LetGoAsync(HeldBlock held, bool stored, TimeSpan patience, TimeProvider time)
    {
        using var done = new CancellationTokenSource();
        var timeUp = Task.Delay(patience, time, done.Token);
        var number = held.Block.Number;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_held.GetValueOrDefault(number) != held)
                {
                    break; // being read, or given back
                }
                if (!stored || timeUp.IsCompleted || !Reaches(number))
                {
                    _held.Remove(number);
                    if (stored)
                    {
                        Store(held.Block);
                    }
                    held.Read.TrySetResult(false);
                    break;
                }
                changed = _arrived.Task;
            }
            await Task.WhenAny(changed, held.Read.Task, timeUp);
        }
        await done.CancelAsync(); // the timer
        return await held.Read.Task; // being read: until it has been
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
