using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>Approximate counts in fixed memory: two rows of 2^bits counters, each key counted in one counter per row
/// (low and high half of its 64-bit hash). The estimate is the smaller counter: never below the true count. Thread-safe.</summary>
public sealed class CountMinSketch(int bits)
{
    private readonly int[] _counts = new int[2 << bits];
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
}
