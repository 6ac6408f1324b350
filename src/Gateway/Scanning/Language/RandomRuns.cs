using System.Text.RegularExpressions;

namespace VendorGate.Gateway.Scanning.Language;

/// <summary>The matches of <see cref="SpanSurprisal.RandomByDesign"/> in a text, in order, found as that regex finds them
/// (leftmost, its alternatives in order, each greedy) in one pass: at each character, only what could start a match is
/// tried, and a run of base64 characters is read once, not once per character of it. The regex tried its alternatives
/// at every position of every word (a run of 15 letters was read 15 times), about a quarter of the gibberish scanner's
/// time on texts with code; it stays the definition the tests compare this with, text by text.
/// <list type="bullet">
/// <item>a URL: <c>http://</c> or <c>https://</c> and the non-whitespace after it (one character at least);</item>
/// <item>a run of 16 or more base64 characters (<c>A–Z a–z 0–9 + / _ -</c>) from here, and up to two <c>=</c>;</item>
/// <item>a hex dump: from a word boundary, eight or more hex words (2–8 hex digits, whole words, <c>0x</c> allowed), each
/// with the separators after it (whitespace, <c>: . , -</c>).</item>
/// </list></summary>
internal ref struct RandomRuns(ReadOnlySpan<char> text)
{
    private const int MinBase64 = 16, MinHexWords = 8;

    private readonly ReadOnlySpan<char> _text = text;
    private int _at;
    private int _runEnd; // the end of the run of base64 characters the last position tried is in (0: none read since a match)

    public (int Index, int Length) Current { get; private set; }

    public readonly RandomRuns GetEnumerator() => this;

    public bool MoveNext()
    {
        var text = _text;
        for (var p = _at; p < text.Length; p++)
        {
            var c = text[p];
            if (!SpanSurprisal.IsBase64(c))
            {
                continue; // every match starts with a base64 character ('h' and the hex digits are)
            }
            var length = c == 'h' ? Url(text, p) : 0;
            if (length == 0)
            {
                if (p >= _runEnd)
                {
                    _runEnd = p + Base64Run(text[p..]);
                }
                if (_runEnd - p >= MinBase64)
                {
                    length = _runEnd - p + Padding(text[_runEnd..]);
                }
                else if (char.IsAsciiHexDigit(c) && (p == 0 || !IsWordChar(text[p - 1])))
                {
                    length = HexDump(text, p);
                }
            }
            if (length > 0)
            {
                (Current, _at, _runEnd) = ((p, length), p + length, 0);
                return true;
            }
            p = NextStart(text, p, _runEnd) - 1;
        }
        _at = text.Length;
        return false;
    }

    /// <summary>After no match at <paramref name="p"/>, inside a run of base64 characters ending at
    /// <paramref name="runEnd"/> that is too short for a base64 match from there on: the next place in the run where a
    /// match could still start (a URL's 'h', or a hex dump's first digit after a '+', '/' or '-', the base64 characters
    /// that are not word characters: elsewhere in the run no word boundary precedes), or the run's end.</summary>
    private static int NextStart(ReadOnlySpan<char> text, int p, int runEnd)
    {
        for (var q = p + 1; q < runEnd; q++)
        {
            if (text[q] == 'h' || text[q - 1] is '+' or '/' or '-')
            {
                return q;
            }
        }
        return Math.Max(p + 1, runEnd);
    }

    /// <summary><c>https?://\S+</c> at the start of <paramref name="text"/>: its length, or 0.</summary>
    private static int Url(ReadOnlySpan<char> text, int p)
    {
        var rest = text[p..];
        var scheme = rest.StartsWith("https://", StringComparison.Ordinal) ? 8 : rest.StartsWith("http://", StringComparison.Ordinal) ? 7 : 0;
        if (scheme == 0)
        {
            return 0;
        }
        var tail = rest[scheme..];
        var end = 0;
        while (end < tail.Length && !char.IsWhiteSpace(tail[end]))
        {
            end++;
        }
        return end == 0 ? 0 : scheme + end;
    }

    private static int Base64Run(ReadOnlySpan<char> text)
    {
        var n = 0;
        while (n < text.Length && SpanSurprisal.IsBase64(text[n]))
        {
            n++;
        }
        return n;
    }

    /// <summary>Up to two <c>=</c> at the start of <paramref name="text"/>.</summary>
    private static int Padding(ReadOnlySpan<char> text) => text is ['=', '=', ..] ? 2 : text is ['=', ..] ? 1 : 0;

    /// <summary><c>(?:\b(?:0x)?[0-9A-Fa-f]{2,8}\b[\s:.,-]*){8,}</c> from <paramref name="p"/>: its length, or 0. A hex word
    /// is a whole run of hex digits (a shorter one would end inside the run, where no boundary is), and the separators
    /// after the last word belong to the match, as the greedy loop takes them.</summary>
    private static int HexDump(ReadOnlySpan<char> text, int p)
    {
        var (at, words) = (p, 0);
        while (at < text.Length && IsBoundary(text, at))
        {
            var digits = at + (text[at..].StartsWith("0x", StringComparison.Ordinal) ? 2 : 0);
            var end = digits;
            while (end < text.Length && char.IsAsciiHexDigit(text[end]))
            {
                end++;
            }
            if (end - digits is < 2 or > 8 || !IsBoundary(text, end))
            {
                break;
            }
            while (end < text.Length && (char.IsWhiteSpace(text[end]) || text[end] is ':' or '.' or ',' or '-'))
            {
                end++;
            }
            (at, words) = (end, words + 1);
        }
        return words >= MinHexWords ? at - p : 0;
    }

    private static bool IsBoundary(ReadOnlySpan<char> text, int i) =>
        (i > 0 && IsWordChar(text[i - 1])) != (i < text.Length && IsWordChar(text[i]));

    /// <summary>A word character as the regex's <c>\b</c> sees it: ASCII letters, digits and '_', and beyond ASCII what
    /// the regex engine itself says (letters, marks, digits and connectors of any script, the zero-width joiners), read
    /// from it once.</summary>
    private static bool IsWordChar(char c) => c < 128 ? char.IsAsciiLetterOrDigit(c) || c == '_' : (WordChars[c >> 6] & (1UL << c)) != 0;

    private static readonly ulong[] WordChars = ReadWordChars();

    private static ulong[] ReadWordChars()
    {
        var bits = new ulong[65536 / 64];
        Span<char> pair = ['a', '\0'];
        for (var c = 0; c < 65536; c++)
        {
            pair[1] = (char)c;
            if (SpanSurprisal.NoBoundaryAfterA().IsMatch(pair))
            {
                bits[c >> 6] |= 1UL << c;
            }
        }
        return bits;
    }
}

public static partial class SpanSurprisal
{
    /// <summary>Matches "a" followed by a word character: no word boundary between them.</summary>
    [GeneratedRegex(@"^a\B", RegexOptions.CultureInvariant)]
    internal static partial Regex NoBoundaryAfterA();
}
