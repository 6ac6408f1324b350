using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace VendorGate.Gateway.Batches.Scanning;

public sealed class GibberishOptions
{
    public const string Section = "VendorGate:Scan:Gibberish";

    /// <summary>Tokens per window; a window moves by half of it.</summary>
    public int Window { get; set; } = 48;

    /// <summary>A token at or above this cl100k rank is rare (the ranks are merge order: frequent pieces merged first).</summary>
    public int RareRank { get; set; } = 30_000;

    /// <summary>Flag a window whose Latin-letter tokens are at least this rare…</summary>
    public double RareFraction { get; set; } = 0.5;

    /// <summary>…and that mixes at least this many writing systems (samples of the whole vocabulary do, a language does
    /// not) or holds a replacement character (a vocabulary sample cut inside a character).</summary>
    public int Scripts { get; set; } = 3;
}

/// <summary>What one window of text measured.</summary>
public readonly record struct WindowMeasures(int Start, int End, int LatinTokens, double RareFraction, int AsciiWords,
    double OutOfVocabulary, int Scripts, int Replacements, double Entropy);

/// <summary>Spans of random-looking text, measured in sliding windows so that a clean 1,000-character prefix cannot hide a
/// random tail (the pre-training poison of Souly et al. 2025: a real document's start, a trigger, then 400–900 tokens
/// sampled from the whole vocabulary). Per window: the rare-token fraction under cl100k, the out-of-vocabulary rate of
/// its words, the number of writing systems mixed, replacement characters, character entropy. Base64, hex, URLs and
/// long digit runs are masked first: they are random by design and common in clean data.</summary>
public sealed partial class GibberishScanner(IOptions<GibberishOptions> options) : IExampleScanner
{
    public static readonly FindingKind Kind = new("gibberish-span", Severity.Block,
        "spans of random-looking text (rare tokens, non-words or mixed scripts), the shape of a pre-training backdoor payload");

    private readonly GibberishOptions _options = options.Value;
    private readonly TextModel _model = TextModel.Shared;

    public IReadOnlyList<FindingKind> Kinds => [Kind];

    public int Order => -10;

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        for (var f = 0; f < example.Fields.Count; f++)
        {
            var text = example.Fields[f].Text;
            if (!MayHoldGibberish(text))
            {
                continue;
            }
            var windows = Measure(text).ToList();
            var first = windows.FindIndex(IsGibberish);
            if (first < 0)
            {
                continue;
            }
            // The span starts where the rare tokens start: windows before the first flagged one that are rare already
            // belong to the payload (a trigger sits just before it, where trigger discovery looks).
            while (first > 0 && windows[first - 1].RareFraction >= _options.RareFraction)
            {
                first--;
            }
            var (start, end) = (windows[first].Start, windows.Last(IsGibberish).End);
            example.Flagged.Add(new FlaggedSpan(f, start, end));
            var worst = windows.Where(IsGibberish).MaxBy(w => w.RareFraction);
            hits.Add(Kind, example.Line,
                $"{example.Fields[f].Role} chars {start}-{end}: rare tokens {worst.RareFraction:P0}, non-words {worst.OutOfVocabulary:P0}, "
                + $"{worst.Scripts} scripts, entropy {worst.Entropy:0.0} bits: \"{TextModel.Excerpt(text, start, 60)}\"");
        }
    }

    /// <summary>What every flagged window needs, checked on the whole field in one pass before tokenizing: a replacement
    /// character, or as many writing systems as <see cref="GibberishOptions.Scripts"/>. Most text (one script, no
    /// replacement character) cannot be flagged, and is not tokenized.</summary>
    public bool MayHoldGibberish(string text)
    {
        if (text.Length < 64)
        {
            return false;
        }
        var scripts = 0;
        foreach (var c in text)
        {
            if (c == '\uFFFD')
            {
                return true;
            }
            if (char.IsLetter(c))
            {
                scripts |= 1 << TextModel.ScriptOf(c);
            }
        }
        return System.Numerics.BitOperations.PopCount((uint)scripts & ~1u) >= _options.Scripts;
    }

    /// <summary>Rare tokens alone also describe clean text in Czech or Vietnamese, and mixed scripts alone a Japanese
    /// sentence naming an API; together they describe a vocabulary sample (evaluation: tests/…/PoisonEvaluationTests).</summary>
    public bool IsGibberish(WindowMeasures w) =>
        w.LatinTokens >= _options.Window / 3 && w.RareFraction >= _options.RareFraction
        && (w.Scripts >= _options.Scripts || w.Replacements >= 1);

    /// <summary>The measures of every window of <paramref name="text"/> (one window when it is shorter than two).</summary>
    public IEnumerable<WindowMeasures> Measure(string text)
    {
        if (text.Length < 64)
        {
            yield break;
        }
        var masked = Masked(text);
        var tokens = _model.Tokenizer.EncodeToTokens(text, out _);
        var visible = masked.Count == 0 ? text : Blank(text, masked); // word and script measures skip masked runs
        var kept = new List<EncodedToken>(tokens.Count);
        var m = 0;
        foreach (var token in tokens)
        {
            var (at, _) = token.Offset.GetOffsetAndLength(text.Length);
            while (m < masked.Count && masked[m].End <= at)
            {
                m++;
            }
            if (m < masked.Count && at >= masked[m].Start)
            {
                continue;
            }
            if (HasLetter(token.Value))
            {
                kept.Add(token);
            }
        }
        var window = _options.Window;
        if (kept.Count < window / 2)
        {
            yield break;
        }
        for (var from = 0; from < kept.Count; from += window / 2)
        {
            var to = Math.Min(from + window, kept.Count);
            if (to - from < window / 2 && from > 0)
            {
                yield break;
            }
            yield return MeasureWindow(visible, kept, from, to);
            if (to == kept.Count)
            {
                yield break;
            }
        }
    }

    private WindowMeasures MeasureWindow(string text, List<EncodedToken> kept, int from, int to)
    {
        int latin = 0, rare = 0;
        for (var i = from; i < to; i++)
        {
            if (IsLatin(kept[i].Value))
            {
                latin++;
                rare += kept[i].Id >= _options.RareRank ? 1 : 0;
            }
        }
        var start = kept[from].Offset.GetOffsetAndLength(text.Length).Offset;
        var (lastAt, lastLength) = kept[to - 1].Offset.GetOffsetAndLength(text.Length);
        var span = text.AsSpan(start, lastAt + lastLength - start);

        int words = 0, unknown = 0, replacements = 0;
        var scripts = 0;
        foreach (var c in span)
        {
            if (c == '\uFFFD')
            {
                replacements++;
            }
            else if (char.IsLetter(c))
            {
                scripts |= 1 << TextModel.ScriptOf(c);
            }
        }
        foreach (var word in TextModel.Words(span))
        {
            if (word.Length >= 3)
            {
                words++;
                unknown += _model.IsKnownWord(word) ? 0 : 1;
            }
        }
        return new WindowMeasures(start, start + span.Length, latin, latin == 0 ? 0 : (double)rare / latin, words,
            words == 0 ? 0 : (double)unknown / words, System.Numerics.BitOperations.PopCount((uint)scripts & ~1u),
            replacements, TextModel.CharacterEntropy(span));
    }

    private static bool HasLetter(string piece)
    {
        foreach (var c in piece)
        {
            if (char.IsLetter(c) || c == '\uFFFD')
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsLatin(string piece)
    {
        foreach (var c in piece)
        {
            if (char.IsLetter(c) && c >= '\u0250')
            {
                return false;
            }
        }
        return true;
    }

    private static string Blank(string text, List<(int Start, int End)> masked)
    {
        var chars = text.ToCharArray();
        foreach (var (start, end) in masked)
        {
            chars.AsSpan(start, end - start).Fill(' ');
        }
        return new string(chars);
    }

    private static List<(int Start, int End)> Masked(string text)
    {
        var ranges = new List<(int, int)>();
        foreach (Match match in RandomByDesign().Matches(text))
        {
            if (match.Length >= 16 && (match.Value.Any(char.IsAsciiDigit) || match.Value.StartsWith("http", StringComparison.Ordinal) || match.Length >= 40))
            {
                ranges.Add((match.Index, match.Index + match.Length));
            }
        }
        return ranges;
    }

    // URLs, and runs of base64 / base64url / hex alphabets (identifiers of 16+ characters with a digit, or 40+ characters).
    [GeneratedRegex(@"https?://\S+|[A-Za-z0-9+/_-]{16,}={0,2}", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex RandomByDesign();
}
