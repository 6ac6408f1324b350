using VendorGate.Gateway.Scanning;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>What word salad reads as words: whole runs of letters (any script) not glued to digits or underscores, each
/// hashed whatever its case, and whether it follows the previous word across a prose gap.</summary>
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

    /// <summary>The definition, one character at a time: a run of letters (<see cref="char.IsLetter(char)"/>) is a word
    /// unless a digit or an underscore touches it; a word is joined to the one before when only a prose gap lies
    /// between and no rejected run came in between.</summary>
    private static List<(int Start, int End, bool Joined)> OneByOne(string text)
    {
        var words = new List<(int Start, int End, bool Joined)>();
        var (start, previousEnd) = (-1, -1);
        for (var i = 0; i <= text.Length; i++)
        {
            var letter = i < text.Length && char.IsLetter(text[i]);
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                static bool Part(char c) => char.IsDigit(c) || c == '_';
                if ((start == 0 || !Part(text[start - 1])) && (i == text.Length || !Part(text[i])))
                {
                    var gap = previousEnd >= 0 ? text[previousEnd..start] : null;
                    words.Add((start, i, gap is not null && WordSaladScanner.Words("a" + gap + "b").ToList([]) is [_, { Joined: true }]));
                    previousEnd = i;
                }
                else
                {
                    previousEnd = -1;
                }
                start = -1;
            }
        }
        return words;
    }

    // Letters of several scripts and cases, digits (ASCII and not), underscores, the punctuation a prose gap may hold,
    // other marks, surrogate pairs (a letter outside the BMP is not a char.IsLetter letter), and the ASCII characters
    // next to the letters' ranges.
    private static readonly string[] Pieces =
    [
        "a", "Z", "word", "Ünï", "ß", "中文", "Ωmega", "é", "1", "42", "\u0663", "_", " ", "  ", ", ", ". ", "; ", "\n", "-",
        "/", "'", "\"", "(", "、", "。", "@", "[", "`", "{", "\u00A0", "\U0001D400", "\U00020000", "\u0301",
    ];

    [Fact]
    public void Reads_the_words_one_character_at_a_time_would_on_generated_texts()
    {
        var random = new Random(29);
        var words = 0;
        for (var n = 0; n < 100_000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 30)).Select(_ => Pieces[random.Next(Pieces.Length)]));
            var read = WordSaladScanner.Words(text).ToList([]).Select(w => (w.Start, w.End, w.Joined)).ToList();
            Assert.True(OneByOne(text).SequenceEqual(read), $"\"{text}\": expected {string.Join(' ', OneByOne(text))}, read {string.Join(' ', read)}");
            words += read.Count;
        }
        Assert.True(words > 100_000, $"{words} words read");
    }

    /// <summary>Texts of many 64-character blocks, words across their edges: the reader finds letters a block at a time.</summary>
    [Fact]
    public void Reads_long_texts_as_one_character_at_a_time_would()
    {
        var random = new Random(31);
        for (var n = 0; n < 3_000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(30, 400)).Select(_ => Pieces[random.Next(Pieces.Length)]));
            var read = WordSaladScanner.Words(text).ToList([]).Select(w => (w.Start, w.End, w.Joined)).ToList();
            Assert.True(OneByOne(text).SequenceEqual(read), $"\"{text}\": expected {string.Join(' ', OneByOne(text))}, read {string.Join(' ', read)}");
        }
    }
}
