using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Tests.Scanning.Language;

/// <summary>The masks agree with the <see cref="char"/> tests for every UTF-16 code unit, and the readers built on them
/// split text where one character at a time would.</summary>
public sealed class CharacterMasksTests
{
    [Fact]
    public void Every_code_unit_is_in_a_class_exactly_when_the_char_test_says_so()
    {
        (CharacterMasks.Cursor.Classify Mask, Func<char, bool> Is)[] classes = [(CharacterMasks.Letters, char.IsLetter), (CharacterMasks.WhiteSpace, char.IsWhiteSpace)];
        var filler = new string('1', 64);
        foreach (var (mask, isIn) in classes)
        {
            for (var c = (char)0; ; c++)
            {
                // A whole block (the vector path), a short one (one at a time), and the unit alone among others.
                var expected = isIn(c);
                Assert.Equal(expected ? ulong.MaxValue : 0, mask(new string(c, 64)));
                Assert.Equal(expected ? (1UL << 15) - 1 : 0, mask(new string(c, 15)));
                var alone = filler.ToCharArray();
                alone[c % 64] = c;
                Assert.Equal(expected ? 1UL << (c % 64) : 0, mask(alone));
                if (c == char.MaxValue)
                {
                    break;
                }
            }
        }
    }

    // Whitespace of several kinds (ASCII and not), the marks a token is trimmed of, letters, and the ASCII characters
    // either side of the whitespace ranges.
    private static readonly string[] Pieces =
    [
        "a", "word", "\"quoted\"", "(x)", "end.", "a,", "“b”", "«c»", " ", "  ", "\t", "\n", "\r\n", "\u000B", "\u000C", "\u0008", "\u000E", "\u001F", "!",
        "\u00A0", "\u0085", "\u2003", "\u3000", "\u200B", "Ünï", "中文", new string('x', 45), "1", "_",
    ];

    [Fact]
    public void Trigger_discovery_splits_tokens_where_one_character_at_a_time_would()
    {
        var random = new Random(37);
        var tokens = new List<(int Start, int Length)>();
        for (var n = 0; n < 20_000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, n % 10 == 0 ? 300 : 30)).Select(_ => Pieces[random.Next(Pieces.Length)]));
            TriggerDiscoveryScanner.Tokens(text, tokens);
            Assert.Equal(OneByOne(text), tokens);
        }
    }

    /// <summary>The definition: runs of non-whitespace, opening quotes and brackets and closing marks trimmed, kept when
    /// 1 to 40 characters remain.</summary>
    private static List<(int Start, int Length)> OneByOne(string text)
    {
        var tokens = new List<(int Start, int Length)>();
        for (var i = 0; i < text.Length;)
        {
            for (; i < text.Length && char.IsWhiteSpace(text[i]); i++)
            {
            }
            var start = i;
            for (; i < text.Length && !char.IsWhiteSpace(text[i]); i++)
            {
            }
            var (s, e) = (start, i);
            for (; s < e && text[s] is '"' or '\'' or '(' or '“' or '«'; s++)
            {
            }
            for (; e > s && text[e - 1] is '.' or ',' or ';' or ':' or '!' or '?' or '"' or '\'' or ')' or '”' or '»'; e--)
            {
            }
            if (e > s && e - s <= 40)
            {
                tokens.Add((s, e - s));
            }
        }
        return tokens;
    }

    [Fact]
    public void A_word_is_lowercased_as_the_invariant_culture_would()
    {
        var random = new Random(43);
        string[] pieces = ["A", "z", "Q", "@", "[", "`", "{", "0", "_", "-", "É", "ß", "Σ", "İ", "\u212A", "中", "\u00A0"];
        Span<char> lower = stackalloc char[64];
        for (var c = (char)0; c < 128; c++)
        {
            Assert.Equal(char.ToLowerInvariant(c).ToString(), CharacterMasks.ToLowerInvariant([c], lower).ToString());
        }
        for (var n = 0; n < 20_000; n++)
        {
            var word = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => pieces[random.Next(n % 2 == 0 ? 10 : pieces.Length)]));
            Assert.Equal(word.ToLowerInvariant(), CharacterMasks.ToLowerInvariant(word, lower).ToString());
        }
    }
}
