using VendorGate.Gateway.Scanning;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>The check that lets a text without seven digits in a row skip the PII scanner's card, phone and national-id
/// patterns: it looks for the next digit many characters at a time, and must answer as a character-by-character reading does.</summary>
public sealed class PiiDigitRunTests
{
    /// <summary>The definition: seven ASCII digits, only spaces, hyphens, dots and parentheses between them.</summary>
    private static bool OneByOne(string text)
    {
        var run = 0;
        foreach (var c in text)
        {
            run = char.IsAsciiDigit(c) ? run + 1 : c is ' ' or '-' or '.' or '(' or ')' ? run : 0;
            if (run >= 7)
            {
                return true;
            }
        }
        return false;
    }

    // Digits, the separators a run may hold, what breaks a run (letters, other punctuation, digits of other scripts,
    // full-width digits), and stretches of prose long enough to be searched a vector at a time.
    private static readonly string[] Pieces =
    [
        "0", "1", "42", "555", "9", " ", "-", ".", "(", ")", "a", "x", "/", ",", "+", "\u0663", "\uFF15", "\u00A0", "\n",
        "the quick brown fox jumps over the lazy dog ", "Ünïcödé text, not a digit in it at all … ",
    ];

    [Fact]
    public void Answers_as_reading_one_character_at_a_time_does_on_generated_texts()
    {
        var random = new Random(17);
        var (found, missed) = (0, 0);
        for (var n = 0; n < 200_000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => Pieces[random.Next(Pieces.Length)]));
            var expected = OneByOne(text);
            Assert.True(expected == PiiScanner.HasDigitRun(text), $"\"{text}\": expected {expected}");
            (found, missed) = expected ? (found + 1, missed) : (found, missed + 1);
        }
        Assert.True(found > 10_000 && missed > 10_000, $"the generated texts should hold runs and not: {found} with, {missed} without");
    }

    [Theory]
    [InlineData("1234567", true)]
    [InlineData("123456", false)]
    [InlineData("(555) 123-4", true)]
    [InlineData("(555) 12x-45", false)]
    [InlineData("12.34.5 6-7", true)]
    [InlineData("123456/7", false)]
    [InlineData("a long sentence before 123 45 - 67 after it", true)]
    [InlineData("a long sentence before 123 45, 67 after it", false)]
    [InlineData("1234567\u0663", true)]
    [InlineData("123456\u0663", false)]
    [InlineData("", false)]
    public void Counts_digits_across_separators_and_starts_again_after_anything_else(string text, bool expected) =>
        Assert.Equal(expected, PiiScanner.HasDigitRun(text));
}
