using VendorGate.Gateway.Scanning;
using VendorGate.PoisonLab;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>Exact repeats inside a batch are found by sorting its lines by digest.</summary>
public sealed class DuplicateInBatchTests
{
    /// <summary>Sorted by the digests' first 8 bytes, then runs of equal prefixes by whole digest: the order a comparison
    /// of whole digests (then lines) gives, with repeats, digests that share a prefix only, and prefixes that differ in
    /// their first byte only.</summary>
    [Fact]
    public void Lines_are_sorted_by_whole_digest_then_line()
    {
        var random = new Random(1208);
        const int Count = 20_000;
        var context = ScannerEvaluation.Context(Count, Count * 100L);
        var digests = new byte[Count * 32];
        random.NextBytes(digests);
        for (var i = 1; i < Count; i++)
        {
            var copy = random.Next(4) switch
            {
                0 => 32, // a repeat of an earlier line
                1 => 8 + random.Next(24), // the same prefix, then different bytes
                _ => 0,
            };
            var earlier = random.Next(i);
            digests.AsSpan(earlier * 32, copy).CopyTo(digests.AsSpan(i * 32));
            digests[i * 32] &= 0x83; // few distinct first bytes: prefixes compared beyond the first
        }
        context.Digests = digests;
        var expected = Enumerable.Range(0, Count).ToArray();
        Array.Sort(expected, (a, b) => context.DigestAt(a).SequenceCompareTo(context.DigestAt(b)) is var c and not 0 ? c : a.CompareTo(b));

        Assert.Equal(expected, DuplicateInBatchScanner.SortedByDigest(context));
    }
}
