using VendorGate.Gateway.Scanning;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>The MinHash four lanes at a time gives the bits one hash at a time did: band keys stored by earlier scans
/// (the corpus's) are compared with new ones.</summary>
public sealed class NearDuplicateMinHashTests
{
    [Fact]
    public void Each_seeds_minimum_is_the_least_of_the_shingles_hashes_one_at_a_time()
    {
        var random = new Random(47);
        for (var example = 0; example < 200; example++)
        {
            // Word hashes over the whole range: half of them with the top bit set, where a signed comparison would differ.
            var words = Enumerable.Range(0, random.Next(4, 300)).Select(_ => (ulong)random.NextInt64() ^ (random.Next(2) == 0 ? 0 : 1UL << 63)).ToList();
            var minima = new ulong[NearDuplicateScanner.Hashes];

            NearDuplicateScanner.MinHash(words, minima);

            Assert.Equal(OneAtATime(words), minima);
        }
    }

    private static ulong[] OneAtATime(List<ulong> words)
    {
        var minima = Enumerable.Repeat(ulong.MaxValue, NearDuplicateScanner.Hashes).ToArray();
        for (var i = 0; i + 4 <= words.Count; i++)
        {
            var shingle = words[i] ^ (words[i + 1] * 31) ^ (words[i + 2] * 961) ^ (words[i + 3] * 29791);
            for (var h = 0; h < minima.Length; h++)
            {
                minima[h] = Math.Min(minima[h], NearDuplicateScanner.Mix(shingle ^ NearDuplicateScanner.Seeds[h]));
            }
        }
        return minima;
    }
}
