using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VendorGate.Gateway.Identity;

/// <summary>Names people read and trust: handles of a fixed alphabet matched whole (<c>\A…\z</c>, so no trailing
/// newline slips through), and free-text names NFC-normalised with every invisible or direction-changing character refused.</summary>
public static partial class Names
{
    public const string HandleRule = "A handle is 1-64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.";
    public const string NameRule = "A name is 1-200 visible characters (spaces allowed between words); no control, format, bidirectional or invisible characters.";

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9._-]{0,63}\z")]
    private static partial Regex HandlePattern();

    public static bool IsHandle(string? handle) => handle is not null && HandlePattern().IsMatch(handle);

    /// <summary>The name NFC-normalised and trimmed, or null when it is empty, too long, or holds a character a reader
    /// cannot see or that reorders what they see (controls, format characters such as U+202E and U+200B, separators
    /// other than the space, unassigned and private-use code points, Hangul fillers).</summary>
    public static string? Clean(string? name)
    {
        if (name is null || !TryNormalize(name, out var normalized))
        {
            return null;
        }
        var trimmed = normalized.Trim(' ');
        if (trimmed.Length is 0 or > 200 || trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return null;
        }
        for (var i = 0; i < trimmed.Length; i += char.IsSurrogatePair(trimmed, i) ? 2 : 1)
        {
            if (char.IsSurrogate(trimmed[i]) && !char.IsSurrogatePair(trimmed, i) || !Visible(trimmed, i))
            {
                return null;
            }
        }
        return trimmed;
    }

    private static bool TryNormalize(string name, out string normalized)
    {
        try
        {
            normalized = name.Normalize(NormalizationForm.FormC);
            return true;
        }
        catch (ArgumentException)
        {
            normalized = "";
            return false; // a lone surrogate
        }
    }

    private static bool Visible(string text, int index)
    {
        var rune = Rune.GetRuneAt(text, index);
        if (rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800)
        {
            return false;
        }
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.SpaceSeparator => rune.Value == ' ',
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate => false,
            _ => true,
        };
    }

    /// <summary>A handle made from a name: letters folded to ASCII where they decompose, everything else a hyphen;
    /// null when nothing is left (then the caller picks one).</summary>
    public static string? HandleOf(string name)
    {
        var folded = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormKD).ToLowerInvariant())
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            folded.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' ? c : '-');
        }
        var handle = Regex.Replace(folded.ToString(), "-{2,}", "-").Trim('-', '.', '_');
        handle = handle.Length > 64 ? handle[..64].TrimEnd('-', '.', '_') : handle;
        return IsHandle(handle) ? handle : null;
    }
}
