using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Tests.Scanning.Language;

/// <summary>The one-pass check that lets most texts skip the random-by-design regex never skips one where it finds a
/// stretch to mask.</summary>
public sealed class SpanSurprisalMaskTests
{
    // Pieces the regex's alternatives are made of, and what breaks them: hex words (with 0x, too long, one letter),
    // every separator it allows (Unicode spaces too), words of letters outside ASCII (\w for \b), base64 characters.
    private static readonly string[] Pieces =
    [
        "ab", "0x1f", "dead", "beef", "c0ffee", "a", "f", "0x", "12345678", "123456789", "fa11", "FACE", "x", "g", "hello",
        " ", "  ", "\t", "\n", "\u00A0", "\u2028", "\u3000", ":", ".", ",", "-", "=", "+", "/", "_", ";", "!", "é", "中",
        "\u200D", "http", "://", "https://", "Zm9vYmFy", "QUJD", "GCLOUD_WIDE_FLAG", "access-context-manager", "==",
    ];

    private static readonly string[] HexPieces = ["ab", "0x1f", "dead", "beef", "c0ffee", "00", "FACE", "12", "0xABCDEF01", "a", "é", "123456789", "\u200D"];

    private static readonly string[] Separators = [" ", ":", ". ", ", ", "-", "\t", "\u00A0", " ; ", "\u1680", "\u0085", "\u3000", "\u2028"];

    private static int LongestBase64Run(string text)
    {
        var (run, longest) = (0, 0);
        foreach (var c in text)
        {
            run = char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '_' or '-' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }

    [Fact]
    public void A_text_the_check_skips_has_no_match_and_most_prose_is_skipped()
    {
        var random = new Random(20261206);
        var (matched, hexDumps) = (0, 0);
        for (var i = 0; i < 200_000; i++)
        {
            // Mostly split by a separator, as hex dumps are; sometimes run together, as base64 is. Every other text is
            // made of hex words and what breaks a dump of them alone.
            var pieces = i % 2 == 0 ? Pieces : HexPieces;
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 40))
                .Select(_ => pieces[random.Next(pieces.Length)] + (random.Next(4) > 0 ? Separators[random.Next(Separators.Length)] : "")));
            if (SpanSurprisal.RandomByDesign().Matches(text).FirstOrDefault(m => SpanSurprisal.IsKept(m.ValueSpan)) is { } match)
            {
                matched++;
                hexDumps += !text.Contains("://") && LongestBase64Run(text) < 16 ? 1 : 0; // only a hex dump can match
                Assert.True(SpanSurprisal.MayHaveRandomRun(text), $"skipped a text with a stretch to mask at {match.Index} ('{match.Value}'): '{text}'");
            }
        }
        Assert.True(matched > 10_000 && hexDumps > 1_000, $"the texts exercised the regex too little: {matched} matched, {hexDumps} hex dumps alone");

        string[] prose =
        [
            "The committee met on Tuesday to review the budget, and it agreed to defer the decision until March.",
            "Add the flour, then beat in the eggs one at a time; a decade of baking taught me to be patient.",
            "Der Ausschuss hat am Dienstag getagt. 会議は火曜日に開かれた。 El comité se reunió el martes.",
            "def area(r):\n    return 3.14159 * r * r  # a circle's area",
        ];
        Assert.All(prose, text => Assert.False(SpanSurprisal.MayHaveRandomRun(text), text));
        Assert.True(SpanSurprisal.MayHaveRandomRun("see https://example.com/a"));
        Assert.True(SpanSurprisal.MayHaveRandomRun("de ad be ef 00 11 22 33"));
        Assert.False(SpanSurprisal.MayHaveRandomRun("de ad be ef 00 11 22 zz"));
        Assert.True(SpanSurprisal.MayHaveRandomRun("q;00 00 00 00 00 00 00 00;q")); // the shortest dump: 23 characters
        Assert.True(SpanSurprisal.MayHaveRandomRun("q;00 00 00 00 00 00 00 00" + new string(';', 20)));
        // Letters alone are kept from 40, the two = a run may end in included.
        foreach (var (run, kept) in new[] { (new string('q', 38) + "==", true), (new string('q', 37) + "==", false), (new string('q', 40), true), (new string('q', 39), false) })
        {
            Assert.Equal(kept, SpanSurprisal.RandomByDesign().Matches(run).Any(m => SpanSurprisal.IsKept(m.ValueSpan)));
            Assert.True(SpanSurprisal.MayHaveRandomRun(run) || !kept, run);
        }
    }

    /// <summary>The check answers as its definition, one character at a time with the char tests, does (its characters'
    /// kinds come from a table): on texts made of the pieces, and of every ASCII character and some beyond.</summary>
    [Fact]
    public void The_check_answers_as_its_definition_does()
    {
        var random = new Random(53);
        string[] characters = [.. Enumerable.Range(0, 128).Select(c => ((char)c).ToString()), "é", "\u00A0", "\u0085", "\u1680", "\u2028", "\u3000", "中"];
        var (yes, no) = (0, 0);
        for (var i = 0; i < 100_000; i++)
        {
            var pieces = (i % 4) switch { 0 => characters, 1 => Pieces, 2 => HexPieces, _ => CaseOfX };
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 60))
                .Select(_ => pieces[random.Next(pieces.Length)] + (random.Next(4) > 0 ? Separators[random.Next(Separators.Length)] : "")));
            var expected = Definition(text);
            Assert.True(expected == SpanSurprisal.MayHaveRandomRun(text), $"expected {expected}: '{text}'");
            (yes, no) = expected ? (yes + 1, no) : (yes, no + 1);
        }
        Assert.True(yes > 10_000 && no > 10_000, $"{yes} true, {no} false: the texts should see both");
    }

    /// <summary>The one-pass matcher finds every match the regex finds, at the same place and of the same length, on
    /// texts of the pieces, of every ASCII character, and of characters beyond ASCII that \b and \s judge apart (marks,
    /// connectors, other scripts' digits, the zero-width joiners, Unicode spaces); and long runs of each kind.</summary>
    [Fact]
    public void The_matcher_finds_what_the_regex_finds()
    {
        var random = new Random(61);
        string[] characters = [.. Enumerable.Range(0, 128).Select(c => ((char)c).ToString()), "é", "\u00A0", "\u0085", "\u1680", "\u2028",
            "\u3000", "中", "\u0301", "\u0903", "\u203F", "\u0663", "\u200C", "\u200D", "\u200B", "\u180E", "\u00B2", "Ⅻ", "\uD83D\uDE00"];
        string[] longRuns = ["http://", "https://", new string('a', 15), new string('a', 16), new string('7', 17) + "===", "0x1f2e", "de:ad:be:ef:00:11:22:33 ",
            string.Join(' ', Enumerable.Repeat("ab", 7)) + " ", string.Join('-', Enumerable.Repeat("ab", 9)), "https://x.y/" + new string('q', 30)];
        var (matches, texts) = (0, 0);
        for (var i = 0; i < 100_000; i++)
        {
            var pieces = (i % 5) switch { 0 => characters, 1 => Pieces, 2 => HexPieces, 3 => CaseOfX, _ => longRuns.Concat(Pieces).ToArray() };
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 60))
                .Select(_ => pieces[random.Next(pieces.Length)] + (random.Next(4) > 0 ? Separators[random.Next(Separators.Length)] : "")));
            var expected = SpanSurprisal.RandomByDesign().Matches(text).Select(m => (m.Index, m.Length)).ToList();
            var found = new List<(int, int)>();
            foreach (var match in new RandomRuns(text))
            {
                found.Add(match);
            }
            Assert.True(expected.SequenceEqual(found), $"'{text}': the regex found {string.Join(' ', expected)}, the matcher {string.Join(' ', found)}");
            (matches, texts) = (matches + expected.Count, texts + (expected.Count > 0 ? 1 : 0));
        }
        Assert.True(matches > 50_000 && texts > 30_000, $"{matches} matches in {texts} texts: the texts should exercise every alternative");
    }

    // Hex words with either x, and what breaks them.
    private static readonly string[] CaseOfX = ["0X1F", "0xab", "DE", "X9", "xX", "0X", "g1", "Xg"];

    private static bool Definition(string text)
    {
        if (text.Contains("://", StringComparison.Ordinal))
        {
            return true;
        }
        var (start, run, word, hexWords) = (0, 0, 0, 0);
        var (digit, hex) = (false, true);
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : '\0';
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '_' or '-')
            {
                start = run++ == 0 ? i : start;
                digit |= char.IsAsciiDigit(c);
            }
            else
            {
                if (run >= 16 && (digit || run >= 38 || text[start..].StartsWith("http", StringComparison.Ordinal)))
                {
                    return true;
                }
                (run, digit) = (0, false);
            }
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                word++;
                hex &= char.IsAsciiHexDigit(c) || c is 'x' or 'X';
                continue;
            }
            if (word > 0)
            {
                hexWords = hex && word is >= 2 and <= 10 ? hexWords + 1 : 0;
                if (hexWords >= 8)
                {
                    return true;
                }
                (word, hex) = (0, true);
            }
            if (!char.IsWhiteSpace(c) && c is not (':' or '.' or ',' or '-'))
            {
                hexWords = 0;
            }
        }
        return false;
    }
}
