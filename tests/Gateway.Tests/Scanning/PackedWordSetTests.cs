using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>The lexicon trigger discovery asks whether a word is known: short words packed into 64-bit keys of an
/// open-addressed table, long ones in a string set. It must answer as a plain set of the words does.</summary>
public sealed class PackedWordSetTests
{
    private static readonly IReadOnlyList<string> Lexicon = TextModel.Shared.Lexicon;

    [Fact]
    public void Holds_every_word_of_the_lexicon_short_and_long()
    {
        var set = new PackedWordSet(Lexicon);
        Assert.All(Lexicon, word => Assert.True(set.Contains(word), word));
        Assert.Contains(Lexicon, w => w.Length > PackedWordSet.MaxPacked);
        Assert.InRange(Lexicon.Count, 20_000, 40_000);
    }

    [Fact]
    public void Answers_as_a_set_of_strings_on_words_near_the_lexicons()
    {
        var set = new PackedWordSet(Lexicon);
        var plain = Lexicon.ToHashSet(StringComparer.Ordinal);
        var random = new Random(23);
        var (held, notHeld) = (0, 0);
        for (var n = 0; n < 300_000; n++)
        {
            var word = Lexicon[random.Next(Lexicon.Count)];
            var candidate = random.Next(6) switch
            {
                0 => word,
                1 => word + (char)('a' + random.Next(26)), // one letter more: a longer word, often past the packed length
                2 => word[..^1],
                3 => word.Remove(random.Next(word.Length), 1).Insert(random.Next(word.Length - 1), ((char)('a' + random.Next(26))).ToString()),
                4 => new string(Enumerable.Range(0, random.Next(1, 16)).Select(_ => (char)('a' + random.Next(26))).ToArray()),
                _ => word + word,
            };
            var expected = plain.Contains(candidate);
            Assert.True(expected == set.Contains(candidate), $"\"{candidate}\": expected {expected}");
            (held, notHeld) = expected ? (held + 1, notHeld) : (held, notHeld + 1);
        }
        Assert.True(held > 50_000 && notHeld > 50_000, $"the candidates should be held and not: {held} held, {notHeld} not");
    }

    [Theory]
    [InlineData("")]
    [InlineData("The")]
    [InlineData("th e")]
    [InlineData("the1")]
    [InlineData("thé")]
    [InlineData("`he")] // the character before 'a': would pack as a letter of value 0
    [InlineData("{he")] // the character after 'z'
    public void Holds_nothing_but_lowercase_ascii_words(string word) =>
        Assert.False(new PackedWordSet(["the", "he", "th"]).Contains(word));

    [Fact]
    public void Keeps_words_apart_that_one_more_letter_would_fold_onto_each_other()
    {
        // Thirteen letters would need 65 bits: 'p' (16) in front would fall off the key and leave the word after it.
        var set = new PackedWordSet(["bcdefghijklm", "abcdefghijklm"]);
        Assert.True(set.Contains("bcdefghijklm"));
        Assert.True(set.Contains("abcdefghijklm"));
        Assert.False(set.Contains("pbcdefghijklm"));
        Assert.False(set.Contains("bcdefghijklz"));
        Assert.Throws<ArgumentException>(() => new PackedWordSet(["Upper"]));
    }

    [Fact]
    public void Known_words_are_asked_in_any_case_and_short_ones_are_known()
    {
        var model = TextModel.Shared;
        Assert.True(model.IsKnownWord("house"));
        Assert.True(model.IsKnownWord("House"));
        Assert.True(model.IsKnownWord("xq"));
        Assert.False(model.IsKnownWord("zqxvbn"));
        Assert.False(model.IsKnownWord(new string('a', 33)));
    }
}
