using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>Approximate counts in fixed memory: two rows of 2^bits counters, each key counted in one counter per row
/// (low and high half of its 64-bit hash). The estimate is the smaller counter: never below the true count. Thread-safe.
/// Sketches of the same size add up (<see cref="Merge"/>): the shards of a scan count apart and their sums are merged.</summary>
public sealed class CountMinSketch(int bits)
{
    private readonly int[] _counts = ScanMemory.Array<int>(2 << bits);
    private readonly ulong _mask = (1UL << bits) - 1;
    private readonly int _size = 1 << bits;

    /// <summary>About one counter per 8 bytes of content, 2^12 to 2^22 per row (32 MB at most).</summary>
    public static CountMinSketch ForContent(long? contentBytes, int extraBits = 0) =>
        new(Math.Clamp((int)Math.Ceiling(Math.Log2(Math.Max(1, contentBytes ?? 0) / 8.0)), 12, 22) + extraBits);

    public void Increment(ulong hash)
    {
        Interlocked.Increment(ref _counts[(int)(hash & _mask)]);
        Interlocked.Increment(ref _counts[_size + (int)((hash >> 32) & _mask)]);
    }

    public int Estimate(ulong hash) => Math.Min(_counts[(int)(hash & _mask)], _counts[_size + (int)((hash >> 32) & _mask)]);

    /// <summary>Writes the counters as runs: (zeros skipped, counters that follow, the counters), so an empty region
    /// of a sparse sketch costs nothing.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(_counts.Length);
        for (var at = 0; at < _counts.Length;)
        {
            var zeros = _counts.AsSpan(at).IndexOfAnyExcept(0) is var z and >= 0 ? z : _counts.Length - at;
            var from = at + zeros;
            var run = from == _counts.Length ? 0 : _counts.AsSpan(from).IndexOf(0) is var r and >= 0 ? r : _counts.Length - from;
            writer.Write(zeros);
            writer.Write(run);
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_counts.AsSpan(from, run)));
            at = from + run;
        }
    }

    /// <summary>Adds a sketch of the same size that <see cref="Write"/> wrote.</summary>
    public void Merge(BinaryReader reader)
    {
        if (reader.ReadInt32() != _counts.Length)
        {
            throw new InvalidDataException($"A sketch of {_counts.Length} counters cannot merge one of another size.");
        }
        var buffer = new int[4096];
        for (var at = 0; at < _counts.Length;)
        {
            at += reader.ReadInt32();
            var run = reader.ReadInt32();
            for (var done = 0; done < run;)
            {
                var n = Math.Min(buffer.Length, run - done);
                reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
                for (var i = 0; i < n; i++)
                {
                    _counts[at + done + i] += buffer[i];
                }
                done += n;
            }
            at += run;
        }
    }
}
