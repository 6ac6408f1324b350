using System.Runtime.CompilerServices;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>Approximate counts in fixed memory: two rows of 2^bits counters, each key counted in one counter per row
/// (low and high half of its 64-bit hash). The estimate is the smaller counter: never below the true count. Thread-safe:
/// the counters are written under a lock and read without one.
/// Sketches of the same size add up (<see cref="Merge"/>): the shards of a scan count apart and their sums are merged.
/// A <paramref name="narrow"/> sketch has 16-bit counters that stop at <see cref="NarrowLimit"/>: half the memory,
/// for counts that matter only while they are small or as a ratio (word salad's words and word pairs: 80 MB instead
/// of 160 for a 1M batch; a batch holds a word or pair that often only from hundreds of thousands of examples on, and
/// below that the counts are the same).</summary>
public sealed class CountMinSketch(int bits, bool narrow = false)
{
    public const int NarrowLimit = ushort.MaxValue;

    private readonly int[] _counts = narrow ? [] : ScanMemory.Array<int>(2 << bits);
    private readonly ushort[] _narrow = narrow ? ScanMemory.Array<ushort>(2 << bits) : [];
    private readonly ulong _mask = (1UL << bits) - 1;
    private readonly int _size = 1 << bits;

    /// <summary>Writers take this lock and add with plain instructions: an atomic instruction per counter waits for
    /// everything before it (the word-salad sketches' compare-and-swaps were about a tenth of a realistic scan's
    /// samples), and the lock, taken once for an example's keys (a few microseconds: their counters were read just
    /// before), does not.</summary>
    private readonly Lock _writing = new();

    /// <summary>About one counter per 8 bytes of content, 2^12 to 2^22 per row (32 MB at most; 16 MB narrow).</summary>
    public static CountMinSketch ForContent(long? contentBytes, int extraBits = 0, bool narrow = false) =>
        new(Math.Clamp((int)Math.Ceiling(Math.Log2(Math.Max(1, contentBytes ?? 0) / 8.0)), 12, 22) + extraBits, narrow);

    private int Length => narrow ? _narrow.Length : _counts.Length;

    public void Increment(ulong hash)
    {
        lock (_writing)
        {
            AddLocked(First(hash), 1);
            AddLocked(Second(hash), 1);
        }
    }

    /// <summary>The key's counter in the first row (the low half of its hash) and in the second (the high half).</summary>
    private int First(ulong hash) => (int)(hash & _mask);

    private int Second(ulong hash) => _size + (int)((hash >> 32) & _mask);

    /// <summary>Counts every key of <paramref name="hashes"/> once: their counters read first, all of them, so that the
    /// trips to memory overlap (reads that do not wait on one another wait for memory together), then incremented under
    /// the lock, taken once.</summary>
    public void IncrementAll(ReadOnlySpan<ulong> hashes)
    {
        var touched = 0;
        foreach (var hash in hashes)
        {
            touched |= narrow ? _narrow[First(hash)] | _narrow[Second(hash)] : _counts[First(hash)] | _counts[Second(hash)];
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

    /// <summary>Asks for the key's two counters to be brought into the cache, without waiting for them
    /// (<see cref="CacheHint"/>): a reader that knows which keys it will estimate next asks a few keys ahead (word salad's
    /// second pass estimates every word and pair of a field one after another). Changes no count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(ulong hash)
    {
        if (narrow)
        {
            CacheHint.Prefetch(ref _narrow[First(hash)]);
            CacheHint.Prefetch(ref _narrow[Second(hash)]);
        }
        else
        {
            CacheHint.Prefetch(ref _counts[First(hash)]);
            CacheHint.Prefetch(ref _counts[Second(hash)]);
        }
    }

    private int At(int i) => narrow ? Volatile.Read(ref _narrow[i]) : Volatile.Read(ref _counts[i]);

    /// <summary>Adds <paramref name="n"/> to counter <paramref name="i"/>, the lock held; a narrow counter stops
    /// at <see cref="NarrowLimit"/>. Written whole (an aligned 16- or 32-bit store), so a reader without the lock sees
    /// the count before or after.</summary>
    private void AddLocked(int i, int n)
    {
        if (narrow)
        {
            _narrow[i] = (ushort)Math.Min(NarrowLimit, _narrow[i] + n);
        }
        else
        {
            _counts[i] += n;
        }
    }

    /// <summary>Writes the counters as runs: (zeros skipped, counters that follow, the counters), so an empty region
    /// of a sparse sketch costs nothing.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(Length);
        for (var at = 0; at < Length;)
        {
            var zeros = narrow ? Zeros(_narrow.AsSpan(at)) : Zeros(_counts.AsSpan(at));
            var from = at + zeros;
            var run = narrow ? NonZeros(_narrow.AsSpan(from)) : NonZeros(_counts.AsSpan(from));
            writer.Write(zeros);
            writer.Write(run);
            for (var i = from; i < from + run; i++)
            {
                writer.Write(At(i)); // as ints, narrow or not
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
        if (reader.ReadInt32() != Length)
        {
            throw new InvalidDataException($"A sketch of {Length} counters cannot merge one of another size.");
        }
        var buffer = new int[4096];
        for (var at = 0; at < Length;)
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
                        AddLocked(at + done + i, buffer[i]);
                    }
                }
                done += n;
            }
            at += run;
        }
    }
}
