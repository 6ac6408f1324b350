using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Tests.Scanning.Language;

/// <summary>The character model's view of a character, read from a table of every UTF-16 code unit: it must be what
/// the rule gives, for every one of them.</summary>
public sealed class CharacterNormalizeTests
{
    [Fact]
    public void The_table_gives_the_rule_for_every_code_unit()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var expected = char.IsWhiteSpace((char)c) ? ' ' : char.IsDigit((char)c) ? '0' : char.ToLowerInvariant((char)c);
            Assert.True(expected == CharacterModel.Normalize((char)c), $"U+{c:X4}: expected U+{(int)expected:X4}, got U+{(int)CharacterModel.Normalize((char)c):X4}");
        }
    }

    [Theory]
    [InlineData('A', 'a')]
    [InlineData('z', 'z')]
    [InlineData('7', '0')]
    [InlineData('\u0663', '0')] // Arabic-Indic three
    [InlineData('\u00A0', ' ')]
    [InlineData('\u3000', ' ')]
    [InlineData('\t', ' ')]
    [InlineData('\u03A3', '\u03C3')] // Σ → σ
    [InlineData('\u00C9', '\u00E9')] // É → é
    [InlineData('\u4E00', '\u4E00')]
    [InlineData('\uD83D', '\uD83D')] // half of a surrogate pair, as it is
    public void Whitespace_is_a_space_digits_are_zero_and_letters_lowercase(char c, char expected) =>
        Assert.Equal(expected, CharacterModel.Normalize(c));
}
