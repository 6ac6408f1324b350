using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.RegularExpressions;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning.Language;

/// <summary>One window of a text field: where it is (characters of the original text), how many bits per character
/// the reference character model needed for it, and how many of its characters were letters.</summary>
public readonly record struct SurprisalWindow(int Start, int End, double Bits, int Letters);

/// <summary>Measures a text in sliding windows of <see cref="Window"/> model characters (moving by half a window) under
/// the reference <see cref="CharacterModel"/>: a clean prefix of any length cannot hide a random tail, and one odd name
/// in a sentence cannot make a window. Runs that are random by design (URLs; base64, base64url and hex of 16+
/// characters with a digit, or of 40+) are left out before measuring: encoded data is common in clean text.</summary>
public static partial class SpanSurprisal
{
    public const int Window = 128;

    /// <summary>Bits a character of a script with thousands of letters (Han, kana, Hangul) costs beyond a letter of an
    /// alphabet in natural text: it carries a syllable or a word, not a sound. Subtracted so one threshold fits all.</summary>
    public const double LargeAlphabetBits = 6;

    public static bool IsLargeAlphabet(char c) => c is >= '\u3040' and <= '\u30FF' or >= '\u3400' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7AF';

    /// <summary>The windows of <paramref name="text"/>; none when it holds fewer than half a window of model characters,
    /// or when <paramref name="worthMeasuring"/>, given where the windows are (start and end in the text), says no: the
    /// model, most of the cost, then does not run.</summary>
    public static List<SurprisalWindow> Measure(string text, CharacterModel model, Func<List<(int Start, int End)>, bool>? worthMeasuring = null)
    {
        var windows = new List<SurprisalWindow>();
        if (text.Length < Window / 2)
        {
            return windows;
        }
        var normalized = ArrayPool<char>.Shared.Rent(text.Length);
        var origin = ArrayPool<int>.Shared.Rent(text.Length);
        var bits = ArrayPool<float>.Shared.Rent(text.Length);
        try
        {
            var n = Normalize(text, normalized, origin);
            if (n < Window / 2)
            {
                return windows;
            }
            var places = new List<(int Start, int End)>(n / (Window / 2) + 1);
            for (var from = 0; ; from += Window / 2)
            {
                var to = Math.Min(n, from + Window);
                places.Add((origin[from], origin[to - 1] + 1));
                if (to == n)
                {
                    break;
                }
            }
            if (worthMeasuring is not null && !worthMeasuring(places))
            {
                return windows;
            }
            model.Surprisals(normalized.AsSpan(0, n), bits);
            for (var w = 0; w < places.Count; w++)
            {
                var (from, to) = (w * (Window / 2), Math.Min(n, w * (Window / 2) + Window));
                double sum = 0;
                var letters = 0;
                for (var i = from; i < to; i++)
                {
                    var c = normalized[i];
                    sum += IsLargeAlphabet(c) ? Math.Max(0, bits[i] - LargeAlphabetBits) : bits[i];
                    letters += char.IsLetter(c) ? 1 : 0;
                }
                windows.Add(new SurprisalWindow(places[w].Start, places[w].End, sum / (to - from), letters));
            }
            return windows;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(normalized);
            ArrayPool<int>.Shared.Return(origin);
            ArrayPool<float>.Shared.Return(bits);
        }
    }

    /// <summary>The model's view of <paramref name="text"/>: normalized characters, encoded runs dropped, whitespace runs
    /// one space; <paramref name="origin"/> maps each back to its position in the text.</summary>
    private static int Normalize(string text, char[] normalized, int[] origin)
    {
        var masked = new RandomRuns(MayHaveRandomRun(text) ? text : "");
        var (maskStart, maskEnd) = (int.MaxValue, int.MaxValue);
        if (NextMask(ref masked, text) is { } first)
        {
            (maskStart, maskEnd) = first;
        }
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (i >= maskStart)
            {
                i = maskEnd - 1;
                (maskStart, maskEnd) = NextMask(ref masked, text) ?? (int.MaxValue, int.MaxValue);
                if (n > 0 && normalized[n - 1] != ' ')
                {
                    normalized[n] = ' ';
                    origin[n++] = i;
                }
                continue;
            }
            var c = CharacterModel.Normalize(text[i]);
            if (c == ' ' && (n == 0 || normalized[n - 1] == ' '))
            {
                continue;
            }
            normalized[n] = c;
            origin[n++] = i;
        }
        return n;
    }

    /// <summary>False only when <see cref="RandomByDesign"/> finds nothing in <paramref name="text"/> that
    /// <see cref="NextMask"/> would keep, found in one pass (most prose; a long hyphenated name, a file path or an
    /// identifier too): it has no <c>://</c>, no 8 hex words in a row (words of ASCII letters, digits and underscores,
    /// split only by what the regex's separators allow), and no run of base64 characters long enough to keep (16 with a
    /// digit or from <c>http</c>, or 38, which the two <c>=</c> a match may end in take to 40). Most texts then skip the
    /// search for matches (<see cref="RandomRuns"/>), which reads every character.</summary>
    internal static bool MayHaveRandomRun(ReadOnlySpan<char> text)
    {
        if (text.IndexOf("://", StringComparison.Ordinal) >= 0)
        {
            return true;
        }
        if (!HasLongRun(text))
        {
            return false;
        }
        var (start, run, word, hexWords) = (0, 0, 0, 0);
        var (digit, hex) = (false, true); // the current run has a digit; the current word so far is (0x) hex digits
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : '\0';
            var kind = c < 128 ? Kinds[c] : char.IsWhiteSpace(c) ? Gap : None;
            if ((kind & Base64) != 0)
            {
                start = run++ == 0 ? i : start;
                digit |= (kind & Digit) != 0;
            }
            else
            {
                if (run >= 16 && (digit || run >= 38 || text[start..].StartsWith("http", StringComparison.Ordinal)))
                {
                    return true;
                }
                (run, digit) = (0, false);
            }
            if ((kind & WordPart) != 0)
            {
                word++;
                hex &= (kind & HexPart) != 0;
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
            if ((kind & Gap) == 0)
            {
                hexWords = 0;
            }
        }
        return false;
    }

    // What MayHaveRandomRun asks of a character, for ASCII from a table (it was a chain of tests per character): in the
    // base64 alphabet; a digit; part of a word (letter, digit, underscore); part of a hex word (hex digit, x); what may
    // lie between a hex dump's words (whitespace, ':', '.', ',', '-'). Beyond ASCII only whitespace is any of these.
    private const byte None = 0, Base64 = 1, Digit = 2, WordPart = 4, HexPart = 8, Gap = 16;

    private static readonly byte[] Kinds = [.. Enumerable.Range(0, 128).Select(i => (char)i).Select(c => (byte)(
        (IsBase64(c) ? Base64 : None) | (char.IsAsciiDigit(c) ? Digit : None) | (char.IsAsciiLetterOrDigit(c) || c == '_' ? WordPart : None)
        | (char.IsAsciiHexDigit(c) || c is 'x' or 'X' ? HexPart : None) | (char.IsWhiteSpace(c) || c is ':' or '.' or ',' or '-' ? Gap : None)))];

    /// <summary>The next stretch that is random by design, or null.</summary>
    private static (int Start, int End)? NextMask(ref RandomRuns matches, string text)
    {
        while (matches.MoveNext())
        {
            var (index, length) = matches.Current;
            if (IsKept(text.AsSpan(index, length)))
            {
                return (index, index + length);
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="text"/> has a run of 16 base64 characters or one of 23 a hex dump could be made
    /// of (8 words of 2 hex digits, 7 separators: hex digits, x, the regex's separators, and, for its Unicode spaces,
    /// every control character and those from U+0080 to U+00FF and U+2000 to U+206F, U+1680 and U+3000), which every
    /// match <see cref="NextMask"/> keeps but a URL needs; found 16 characters at a time, for the few texts that have one
    /// to be looked at closely.</summary>
    private static bool HasLongRun(ReadOnlySpan<char> text)
    {
        const int Base64Run = 16, DumpRun = 23;
        var chars = MemoryMarshal.Cast<char, ushort>(text);
        var (base64, dump) = (0, 0); // the runs' lengths up to here
        var i = 0;
        for (; i + 16 <= chars.Length; i += 16)
        {
            var v = Vector256.Create(chars.Slice(i, 16));
            var lower = v | Vector256.Create((ushort)0x20);
            var digit = Vector256.LessThanOrEqual(v - Vector256.Create((ushort)'0'), Vector256.Create((ushort)9));
            var letter = Vector256.LessThanOrEqual(lower - Vector256.Create((ushort)'a'), Vector256.Create((ushort)25));
            var dash = Vector256.Equals(v, Vector256.Create((ushort)'-'));
            var base64Chars = digit | letter | dash | Vector256.Equals(v, Vector256.Create((ushort)'+')) | Vector256.Equals(v, Vector256.Create((ushort)'/'))
                | Vector256.Equals(v, Vector256.Create((ushort)'_'));
            var dumpChars = digit | dash | Vector256.LessThanOrEqual(lower - Vector256.Create((ushort)'a'), Vector256.Create((ushort)5))
                | Vector256.Equals(lower, Vector256.Create((ushort)'x')) | Vector256.Equals(v, Vector256.Create((ushort)':'))
                | Vector256.Equals(v, Vector256.Create((ushort)'.')) | Vector256.Equals(v, Vector256.Create((ushort)','))
                | Vector256.LessThanOrEqual(v, Vector256.Create((ushort)' ')) | Vector256.LessThanOrEqual(v - Vector256.Create((ushort)0x80), Vector256.Create((ushort)0x7F))
                | Vector256.LessThanOrEqual(v - Vector256.Create((ushort)0x2000), Vector256.Create((ushort)0x6F))
                | Vector256.Equals(v, Vector256.Create((ushort)0x1680)) | Vector256.Equals(v, Vector256.Create((ushort)0x3000));
            if (Reaches(base64Chars.ExtractMostSignificantBits(), ref base64, Base64Run) || Reaches(dumpChars.ExtractMostSignificantBits(), ref dump, DumpRun))
            {
                return true;
            }
        }
        for (; i < chars.Length; i++)
        {
            var c = (char)chars[i];
            base64 = IsBase64(c) ? base64 + 1 : 0;
            dump = char.IsAsciiHexDigit(c) || c is 'x' or 'X' or ':' or '.' or ',' or '-' or <= ' ' or >= '\u0080' and <= '\u00FF' or >= '\u2000' and <= '\u206F' or '\u1680' or '\u3000'
                ? dump + 1 : 0;
            if (base64 >= Base64Run || dump >= DumpRun)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A character of the regex's base64 (and base64url) alphabet.</summary>
    internal static bool IsBase64(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '_' or '-';

    /// <summary>Whether a run of <paramref name="length"/> is reached with the next 16 characters, of which
    /// <paramref name="mask"/> has a bit (in text order) for each in the run's class; <paramref name="run"/> is the length
    /// of the run that reaches their end, before and after. A run inside them is shorter than 16.</summary>
    private static bool Reaches(uint mask, ref int run, int length)
    {
        if (mask == 0xFFFF)
        {
            run += 16;
            return run >= length;
        }
        if (run + BitOperations.TrailingZeroCount(~mask) >= length)
        {
            return true;
        }
        run = BitOperations.LeadingZeroCount(~(mask << 16));
        return false;
    }

    /// <summary>A match of <see cref="RandomByDesign"/> that is masked: 16 characters with a digit or from <c>http</c>,
    /// or 40.</summary>
    internal static bool IsKept(ReadOnlySpan<char> match) =>
        match.Length >= 16 && (match.IndexOfAnyInRange('0', '9') >= 0 || match.StartsWith("http", StringComparison.Ordinal) || match.Length >= 40);

    // URLs, runs of base64 / base64url / hex alphabets, and hex dumps (eight or more hex words in a row): the definition
    // RandomRuns finds the matches of (the tests compare them text by text).
    [GeneratedRegex(@"https?://\S+|[A-Za-z0-9+/_-]{16,}={0,2}|(?:\b(?:0x)?[0-9A-Fa-f]{2,8}\b[\s:.,-]*){8,}", RegexOptions.CultureInvariant)]
    internal static partial Regex RandomByDesign();
}
