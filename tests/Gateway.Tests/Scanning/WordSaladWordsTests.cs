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

    /// <summary>A word's hash is its own, whatever text follows it: words are lowercased sixteen characters at a time
    /// where the text goes on that far, and characters past the word's end (non-ASCII ones included) must not count.</summary>
    [Fact]
    public void A_word_hashes_alike_alone_and_followed_by_any_text()
    {
        string[] words = ["a", "The", "QUICK", "brownFox", "École", "naïve", "ΣΟΦΙΑ", "München", "abcdefghijklmnop", "ABCDEFGHIJKLMNOPQ",
            "Donaudampfschifffahrtsgesellschaft", "İstanbul", "fifteenletterss"];
        string[] gaps = [" ", ", ", ". ", "\n", "—", "中", "é", "Ω"];
        var random = new Random(11);
        for (var i = 0; i < 2_000; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 20)).Select(_ => words[random.Next(words.Length)] + gaps[random.Next(gaps.Length)]));
            foreach (var word in WordSaladScanner.Words(text).ToList([]))
            {
                var alone = WordSaladScanner.Words(text[word.Start..word.End]).ToList([]);
                Assert.Equal(alone.Single().Hash, word.Hash);
                var length = Math.Min(64, word.End - word.Start); // a word is hashed by its first 64 letters
                Assert.Equal(text.Substring(word.Start, length).ToLowerInvariant(),
                    VendorGate.Gateway.Scanning.Language.CharacterMasks.ToLowerInvariant(text, word.Start, length, new char[64]).ToString());
            }
        }
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

    /// <summary>The run of words that repeats least, found by sliding a window along each long run (counts kept as words
    /// enter and leave it), is the one every window counted from scratch finds: fields of a small and of a large
    /// vocabulary, with prose gaps, marks and gaps that break a run, read one after another by the same thread.</summary>
    [Fact]
    public void The_freshest_run_is_the_one_counting_every_window_afresh_finds()
    {
        var options = new WordSaladOptions();
        var scanner = new WordSaladScanner(Microsoft.Extensions.Options.Options.Create(options));
        var random = new Random(59);
        // The first four: half of them a mark, so the rule that a run is no list (fewer than half its gaps marked) binds.
        string[] gaps = [" ", ". ", ", ", " ", " ", " (", "\n", " - ", " 1 "];
        var found = 0;
        for (var n = 0; n < 600; n++)
        {
            var vocabulary = n % 3 == 0 ? 40 : 5_000;
            var text = string.Concat(Enumerable.Range(0, random.Next(60, 400)).Select(_ =>
                new string((char)('a' + random.Next(26)), 1) + Word(random.Next(vocabulary)) + gaps[random.Next(n % 2 == 0 ? 4 : gaps.Length)]));
            var expected = Freshest(text, options);
            var actual = scanner.FreshestRun(text);
            Assert.Equal(expected, actual is { } run ? (run.From, run.Start, run.End, run.Repeats) : null);
            found += expected is null ? 0 : 1;
        }
        Assert.True(found is > 50 and < 550, $"{found} of 600 fields have a fresh run: the trials should see both");

        static string Word(int i) => string.Concat(i.ToString().Select(d => (char)('a' + d - '0')));
    }

    /// <summary>Every window of <see cref="WordSaladOptions.FreshWords"/> words inside one run of prose-joined words,
    /// counted from scratch (no word is known to an empty batch): the first with the fewest repeats of those the options
    /// flag.</summary>
    private static (int From, int Start, int End, int Repeats)? Freshest(string text, WordSaladOptions options)
    {
        var words = WordSaladScanner.Words(text).ToList([]);
        var length = options.FreshWords;
        (int, int, int, int)? freshest = null;
        for (var from = 0; from + length <= words.Count; from++)
        {
            if (Enumerable.Range(from + 1, length - 1).Any(k => !words[k].Joined))
            {
                continue; // not one run
            }
            var window = words.Skip(from).Take(length).ToList();
            var repeats = window.Count - window.Select(w => w.Hash).Distinct().Count();
            var marked = Enumerable.Range(from + 1, length - 1).Count(k => !string.IsNullOrWhiteSpace(text[words[k - 1].End..words[k].Start]));
            if (repeats <= options.FreshRepeats && marked * 2 < length - 1 && (freshest is null || repeats < freshest.Value.Item4))
            {
                freshest = (from, window[0].Start, window[^1].End, repeats);
            }
        }
        return freshest;
    }
}
