using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>Approximate counts in fixed memory: two rows of 2^bits counters, each key counted in one counter per row.
/// The estimate is the smaller counter: never below the true count. Thread-safe: the counters are written under a lock
/// and read without one.
/// A key's two counters lie in one block of 16 counters, one in each half (the block chosen by the low bits of its
/// 64-bit hash, the counter in each half by two slices of its high half), and a block lies within one 64-byte cache
/// line: one trip to memory per key instead of two. The sketches of a 1M scan are far larger than the processor's
/// caches, and word salad's first pass counts five keys per word (the word, its pair with the next one and with three
/// further on): those trips were an eighth of a realistic scan. Each half is a row of its own (a key's counters differ
/// in both); the estimates' expected error is a plain sketch's, but a key's two counters are overcounted together when
/// their block is crowded (README, "eleventh session"). Narrow and wide sketches place a key alike.
/// Sketches of the same size add up (<see cref="Merge"/>): the shards of a scan count apart and their sums are merged.
/// A narrow sketch has 16-bit counters that stop at <see cref="NarrowLimit"/>: half the memory,
/// for counts that matter only while they are small or as a ratio (word salad's words and word pairs: 80 MB instead
/// of 160 for a 1M batch; a batch holds a word or pair that often only from hundreds of thousands of examples on, and
/// below that the counts are the same).</summary>
public sealed class CountMinSketch
{
    public const int NarrowLimit = ushort.MaxValue;
    private const int CacheLine = 64, PerBlock = 16, Half = PerBlock / 2;

    private readonly bool _isNarrow;
    // Counters from _offset on, the first at a 64-byte boundary of memory (large arrays never move: ScanMemory.Array).
    private readonly int[] _counts;
    private readonly ushort[] _narrow;
    private readonly int _offset;
    private readonly int _length;
    private readonly ulong _blockMask;

    public CountMinSketch(int bits, bool narrow = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 5);
        _isNarrow = narrow;
        _length = 2 << bits;
        var size = narrow ? sizeof(ushort) : sizeof(int);
        _counts = narrow ? [] : ScanMemory.Array<int>(_length + CacheLine / size);
        _narrow = narrow ? ScanMemory.Array<ushort>(_length + CacheLine / size) : [];
        var start = narrow ? Marshal.UnsafeAddrOfPinnedArrayElement(_narrow, 0) : Marshal.UnsafeAddrOfPinnedArrayElement(_counts, 0);
        _offset = (int)((CacheLine - start % CacheLine) % CacheLine) / size; // blocks of 32 or 64 bytes from a line's start
        _blockMask = (ulong)(_length / PerBlock) - 1;
    }

    /// <summary>Writers take this lock and add with plain instructions: an atomic instruction per counter waits for
    /// everything before it (the word-salad sketches' compare-and-swaps were about a tenth of a realistic scan's
    /// samples), and the lock, taken once for an example's keys (a few microseconds: their counters were read just
    /// before), does not.</summary>
    private readonly Lock _writing = new();

    /// <summary>About one counter per 8 bytes of content, 2^12 to 2^22 per row (32 MB at most; 16 MB narrow).</summary>
    public static CountMinSketch ForContent(long? contentBytes, int extraBits = 0, bool narrow = false) =>
        new(Math.Clamp((int)Math.Ceiling(Math.Log2(Math.Max(1, contentBytes ?? 0) / 8.0)), 12, 22) + extraBits, narrow);

    public void Increment(ulong hash)
    {
        lock (_writing)
        {
            AddLocked(First(hash), 1);
            AddLocked(Second(hash), 1);
        }
    }

    /// <summary>Where the key's counter in the first row lies in the array: in the first half of its block (the block
    /// from the low bits of its hash, the counter from bits 32 on).</summary>
    private int First(ulong hash) => Block(hash) + ((int)(hash >> 32) & (Half - 1));

    /// <summary>The key's counter in the second row: in the second half of its block, from bits 48 on.</summary>
    private int Second(ulong hash) => Block(hash) + Half + ((int)(hash >> 48) & (Half - 1));

    private int Block(ulong hash) => _offset + (int)(hash & _blockMask) * PerBlock;

    /// <summary>Counts every key of <paramref name="hashes"/> once: their counters read first, all of them, so that the
    /// trips to memory overlap (reads that do not wait on one another wait for memory together), then incremented under
    /// the lock, taken once.</summary>
    public void IncrementAll(ReadOnlySpan<ulong> hashes)
    {
        var touched = 0;
        foreach (var hash in hashes)
        {
            touched |= _isNarrow ? _narrow[First(hash)] : _counts[First(hash)]; // the second counter is in the same block
        }
        t_touched = touched; // used, so the reads stay
        lock (_writing)
        {
            foreach (var hash in hashes)
            {
                AddLocked(First(hash), 1);
                AddLocked(Second(hash), 1);
            }
        }
    }

    [ThreadStatic] private static int t_touched;

    public int Estimate(ulong hash) => Math.Min(At(First(hash)), At(Second(hash)));

    /// <summary>Asks for the key's block of counters to be brought into the cache, without waiting for them
    /// (<see cref="CacheHint"/>): a reader that knows which keys it will estimate next asks a few keys ahead (word salad's
    /// second pass estimates every word and pair of a field one after another). Changes no count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(ulong hash)
    {
        if (_isNarrow)
        {
            CacheHint.Prefetch(ref _narrow[Block(hash)]);
        }
        else
        {
            CacheHint.Prefetch(ref _counts[Block(hash)]);
        }
    }

    private int At(int i) => _isNarrow ? Volatile.Read(ref _narrow[i]) : Volatile.Read(ref _counts[i]);

    /// <summary>Adds <paramref name="n"/> to the counter at <paramref name="i"/> in the array, the lock held; a narrow counter stops
    /// at <see cref="NarrowLimit"/>. Written whole (an aligned 16- or 32-bit store), so a reader without the lock sees
    /// the count before or after.</summary>
    private void AddLocked(int i, int n)
    {
        if (_isNarrow)
        {
            _narrow[i] = (ushort)Math.Min(NarrowLimit, _narrow[i] + n);
        }
        else
        {
            _counts[i] += n;
        }
    }

    /// <summary>Writes the counters in the order they lie (blocks one after another) as runs: (zeros skipped, counters
    /// that follow, the counters), so an empty region of a sparse sketch costs nothing.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(_length);
        for (var at = 0; at < _length;)
        {
            var zeros = _isNarrow ? Zeros(_narrow.AsSpan(_offset + at, _length - at)) : Zeros(_counts.AsSpan(_offset + at, _length - at));
            var from = at + zeros;
            var run = _isNarrow ? NonZeros(_narrow.AsSpan(_offset + from, _length - from)) : NonZeros(_counts.AsSpan(_offset + from, _length - from));
            writer.Write(zeros);
            writer.Write(run);
            for (var i = from; i < from + run; i++)
            {
                writer.Write(At(_offset + i)); // as ints, narrow or not
            }
            at = from + run;
        }
    }

    private static int Zeros<T>(Span<T> counts) where T : unmanaged, IEquatable<T> =>
        counts.IndexOfAnyExcept(default(T)) is var z and >= 0 ? z : counts.Length;

    private static int NonZeros<T>(Span<T> counts) where T : unmanaged, IEquatable<T> =>
        counts.IndexOf(default(T)) is var r and >= 0 ? r : counts.Length;

    /// <summary>Adds a sketch of the same size that <see cref="Write"/> wrote.</summary>
    public void Merge(BinaryReader reader)
    {
        if (reader.ReadInt32() != _length)
        {
            throw new InvalidDataException($"A sketch of {_length} counters cannot merge one of another size.");
        }
        var buffer = new int[4096];
        for (var at = 0; at < _length;)
        {
            at += reader.ReadInt32();
            var run = reader.ReadInt32();
            for (var done = 0; done < run;)
            {
                var n = Math.Min(buffer.Length, run - done);
                reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
                lock (_writing)
                {
                    for (var i = 0; i < n; i++)
                    {
                        AddLocked(_offset + at + done + i, buffer[i]);
                    }
                }
                done += n;
            }
            at += run;
        }
    }
}
