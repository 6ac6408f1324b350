using System.Buffers;
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
        var masked = RandomByDesign().EnumerateMatches(text);
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

    /// <summary>The next stretch that is random by design, or null. A match that runs past the regex's time limit (a
    /// loaded machine, a pathological text) ends the masking of this text instead of failing the whole scan: the rest
    /// of the text is judged unmasked, which can only flag more, never less.</summary>
    private static (int Start, int End)? NextMask(ref Regex.ValueMatchEnumerator matches, string text)
    {
        while (TryMoveNext(ref matches))
        {
            var m = matches.Current;
            var value = text.AsSpan(m.Index, m.Length);
            if (m.Length >= 16 && (value.IndexOfAnyInRange('0', '9') >= 0 || value.StartsWith("http", StringComparison.Ordinal) || m.Length >= 40))
            {
                return (m.Index, m.Index + m.Length);
            }
        }
        return null;
    }

    private static bool TryMoveNext(ref Regex.ValueMatchEnumerator matches)
    {
        try
        {
            return matches.MoveNext();
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    // URLs, runs of base64 / base64url / hex alphabets, and hex dumps (eight or more hex words in a row).
    [GeneratedRegex(@"https?://\S+|[A-Za-z0-9+/_-]{16,}={0,2}|(?:\b(?:0x)?[0-9A-Fa-f]{2,8}\b[\s:.,-]*){8,}", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex RandomByDesign();
}
