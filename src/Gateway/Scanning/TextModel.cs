using System.Text;
using Microsoft.ML.Tokenizers;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Scanning;

/// <summary>What the text scanners know about language, loaded once per process: the cl100k tokenizer (GPT-4's, whose
/// ids are merge ranks, so a high id is a rare token) and a lexicon of the lowercase English words it holds as single
/// tokens (about 25,000: the words common enough to have earned a token of their own).</summary>
public sealed class TextModel
{
    private static readonly Lazy<TextModel> Instance = new(() => new TextModel(TiktokenTokenizer.CreateForModel("gpt-4")));

    private readonly PackedWordSet _lexicon;

    private TextModel(TiktokenTokenizer tokenizer)
    {
        Tokenizer = tokenizer;
        var lexicon = new List<string>();
        for (var id = 0; id < 100_256; id++)
        {
            if (tokenizer.Decode([id]) is { Length: >= 3 } piece && piece[0] == ' ' && piece.AsSpan(1).ContainsAnyExceptInRange('a', 'z') is false)
            {
                lexicon.Add(piece[1..]);
            }
        }
        Lexicon = lexicon;
        _lexicon = new PackedWordSet(lexicon);
    }

    public static TextModel Shared => Instance.Value;

    public TiktokenTokenizer Tokenizer { get; }

    /// <summary>The lowercase English words the tokenizer holds whole.</summary>
    internal IReadOnlyList<string> Lexicon { get; }

    /// <summary>Vocabulary size of cl100k (without special tokens).</summary>
    public const int VocabularySize = 100_256;

    /// <summary>An ASCII word the tokenizer knows as a whole word (in any case); words under three letters count as known.</summary>
    public bool IsKnownWord(ReadOnlySpan<char> word)
    {
        if (word.Length < 3)
        {
            return true;
        }
        if (word.Length > 32)
        {
            return false;
        }
        if (!word.ContainsAnyExceptInRange('a', 'z'))
        {
            return _lexicon.Contains(word); // as trigger discovery asks: lowercase already
        }
        Span<char> lower = stackalloc char[word.Length];
        word.ToLowerInvariant(lower);
        return _lexicon.Contains(lower);
    }

    /// <summary>Shannon entropy of the characters of <paramref name="text"/>, bits per character.</summary>
    public static double CharacterEntropy(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }
        Span<int> ascii = stackalloc int[128];
        ascii.Clear();
        Dictionary<char, int>? other = null;
        foreach (var c in text)
        {
            if (c < 128)
            {
                ascii[c]++;
            }
            else
            {
                other ??= [];
                other[c] = other.GetValueOrDefault(c) + 1;
            }
        }
        double entropy = 0, n = text.Length;
        foreach (var count in ascii)
        {
            if (count > 0)
            {
                entropy -= count / n * Math.Log2(count / n);
            }
        }
        foreach (var count in other?.Values ?? (IEnumerable<int>)[])
        {
            entropy -= count / n * Math.Log2(count / n);
        }
        return entropy;
    }

    /// <summary>A short, printable excerpt for evidence.</summary>
    public static string Excerpt(string text, int start, int length)
    {
        start = Math.Clamp(start, 0, text.Length);
        length = Math.Clamp(length, 0, text.Length - start);
        var builder = new StringBuilder(length);
        foreach (var c in text.AsSpan(start, length))
        {
            builder.Append(char.IsControl(c) ? ' ' : c);
        }
        return builder.ToString();
    }
}
