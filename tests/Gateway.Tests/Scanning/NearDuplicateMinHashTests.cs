using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
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

    /// <summary>The word hashes band keys are made of are those of the definition, one character at a time: words split
    /// at whitespace (any), each hashed by its first 64 characters lowercased, whatever follows a word.</summary>
    [Fact]
    public void Word_hashes_are_those_of_whitespace_split_lowercased_words()
    {
        string[] pieces = ["a", "The", "QUICK", "naïve", "École", "ΣΟΦΙΑ", "中文", "x1", "(foo)", "a.b", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "İ",
            " ", "  ", "\t", "\n", "\u00A0", "\u2003", "\u3000", "\U0001D400", new string('Z', 70), new string('q', 63)];
        var random = new Random(53);
        var words = 0;
        for (var n = 0; n < 3_000; n++)
        {
            var fields = Enumerable.Range(0, 2).Select(_ => string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => pieces[random.Next(pieces.Length)]))).ToArray();
            var line = JsonSerializer.Serialize(new { prompt = fields[0], completion = fields[1] });
            var example = ExampleText.Parse(Encoding.UTF8.GetBytes(line), 1, []);
            var expected = example.Fields.SelectMany(f => f.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                .Select(w => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(w[..Math.Min(64, w.Length)].ToLowerInvariant().AsSpan()))).ToList();
            Assert.Equal(expected, NearDuplicateScanner.WordHashes(example, []));
            words += expected.Count;
        }
        Assert.True(words > 10_000, $"{words} words");
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
