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
}
