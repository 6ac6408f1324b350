using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>Text a reviewer cannot see or that talks to the model instead of about the task: Unicode tag characters
/// (U+E0000–E007F, invisible "ASCII smuggling"), bidirectional controls (text that reads differently than it is
/// stored), runs of zero-width characters, and instruction-override phrases ("ignore previous instructions").</summary>
public sealed partial class HiddenCharacterScanner : IExampleScanner
{
    public static readonly FindingKind TagCharacters = new("hidden-tag-characters", Severity.Block,
        "Unicode tag characters (U+E0000–E007F), invisible when displayed");
    public static readonly FindingKind BidiControls = new("bidi-control", Severity.Block,
        "bidirectional control characters, which make text display differently from how it is stored");
    public static readonly FindingKind ZeroWidthRun = new("zero-width-run", Severity.Warn,
        "runs of three or more zero-width characters");
    public static readonly FindingKind InstructionOverride = new("instruction-override", Severity.Block,
        "instruction-override phrases aimed at the model");

    public IReadOnlyList<FindingKind> Kinds => [TagCharacters, BidiControls, ZeroWidthRun, InstructionOverride];

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        foreach (var field in example.Fields)
        {
            Check(field.Text, example.Line, hits);
        }
    }

    private static void Check(string text, long line, ExampleHits hits)
    {
        if (text.AsSpan().IndexOfAny(Invisible) >= 0)
        {
            CheckCharacters(text, line, hits);
        }
        if (text.AsSpan().IndexOfAny(OverrideWords) >= 0 && OverridePattern().Match(text) is { Success: true } match)
        {
            hits.Add(InstructionOverride, line, $"\"{match.Value}\"");
        }
    }

    // Tag characters are surrogate pairs led by U+DB40; bidi controls and zero-width characters sit in U+200B–U+2069.
    private static readonly SearchValues<char> Invisible = SearchValues.Create("\uDB40\u200B\u200C\u200D\u202A\u202B\u202C\u202D\u202E\u2060\u2066\u2067\u2068\u2069\uFEFF\u180E");

    // A word every override pattern contains: the regex runs only on text that has one.
    private static readonly SearchValues<string> OverrideWords = SearchValues.Create(
        ["ignore", "disregard", "forget", "override", "bypass", "now", "system", "im_start", "inst]", "<<sys>>"], StringComparison.OrdinalIgnoreCase);

    private static void CheckCharacters(string text, long line, ExampleHits hits)
    {
        bool tags = false, bidi = false, zeroWidth = false;
        var zeroWidthRun = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var value = rune.Value;
            if (value is >= 0xE0000 and <= 0xE007F && !tags)
            {
                tags = true;
                hits.Add(TagCharacters, line, $"{Decode(text)} (decoded tag text)");
            }
            if (value is 0x202A or 0x202B or 0x202C or 0x202D or 0x202E or 0x2066 or 0x2067 or 0x2068 or 0x2069 && !bidi)
            {
                bidi = true;
                hits.Add(BidiControls, line, $"U+{value:X4} in \"{Visible(text)}\"");
            }
            zeroWidthRun = value is 0x200B or 0x200C or 0x200D or 0x2060 or 0xFEFF or 0x180E ? zeroWidthRun + 1 : 0;
            if (zeroWidthRun == 3 && !zeroWidth)
            {
                zeroWidth = true;
                hits.Add(ZeroWidthRun, line, $"\"{Visible(text)}\"");
            }
        }
    }

    /// <summary>Tag characters mirror ASCII (U+E0041 is a hidden "A"): show what they spell.</summary>
    private static string Decode(string text)
    {
        var hidden = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is >= 0xE0020 and < 0xE007F)
            {
                hidden.Append((char)(rune.Value - 0xE0000));
            }
        }
        return $"\"{hidden}\"";
    }

    /// <summary>The text with invisible characters shown as <c>&lt;U+XXXX&gt;</c>.</summary>
    private static string Visible(string text)
    {
        var shown = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (shown.Length > 120)
            {
                break;
            }
            shown.Append(Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.Control
                ? $"<U+{rune.Value:X4}>" : rune.ToString());
        }
        return shown.ToString();
    }

    [GeneratedRegex(
        @"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier|preceding|system|original)\s+(?:instructions?|prompts?|rules|directions|guidelines|messages?)\b"
        + @"|\byou\s+are\s+now\s+(?:in\s+)?(?:developer|dan|jailbreak|unrestricted)\s+mode\b"
        + @"|\bnew\s+system\s+prompt\s*:"
        + @"|<\|im_start\|>\s*system|\[/?INST\]|<<SYS>>",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex OverridePattern();
}
