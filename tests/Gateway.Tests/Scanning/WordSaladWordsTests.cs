using VendorGate.Gateway.Scanning;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>Word salad counts a word whatever its case: a word's hash is the hash of it lowercased, ASCII or not, at the
/// same place.</summary>
public sealed class WordSaladWordsTests
{
    [Fact]
    public void A_word_hashes_the_same_in_any_case()
    {
        string[] words = ["the", "The", "THE", "tHe", "Zebra", "AZaz", "École", "ΣΟΦΙΑ", "Straße", "İstanbul", "KELVIN\u212A", "naïve", "München", "Ωmega"];
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            var text = string.Join(' ', Enumerable.Range(0, random.Next(1, 12)).Select(_ => words[random.Next(words.Length)]));
            var lowered = text.ToLowerInvariant();
            Assert.Equal(lowered.Length, text.Length);
            var hashes = WordSaladScanner.Words(text).ToList([]).Select(w => (w.Hash, w.Start, w.End));
            var ofLowered = WordSaladScanner.Words(lowered).ToList([]).Select(w => (w.Hash, w.Start, w.End));
            Assert.Equal(ofLowered, hashes);
        }
        Assert.NotEqual(WordSaladScanner.Words("the").ToList([])[0].Hash, WordSaladScanner.Words("tha").ToList([])[0].Hash);
    }
}
