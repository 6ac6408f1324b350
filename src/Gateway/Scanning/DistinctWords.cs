using System.Buffers;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Scanning;

/// <summary>The words of a text as <see cref="GibberishScanner"/> judges how often they repeat: letter runs of two or
/// more, lowercased, and in a large alphabet (Han, kana, Hangul), which does not separate words, each pair of adjacent
/// characters (natural text repeats its pairs). Each word is read with its place and a number shared by equal words,
/// without a string per word. One instance per thread, reused from text to text.</summary>
internal sealed class DistinctWords
{
    [ThreadStatic] private static DistinctWords? t_current;

    private Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private char[] _lower = new char[1024];
    private (int Start, int End, int Id)[] _words = new (int, int, int)[256];
    private int _count;

    /// <summary>How many words <paramref name="text"/> has, and how many of them differ.</summary>
    public static (int Words, int Distinct) Count(ReadOnlySpan<char> text)
    {
        var words = Read(text);
        return (words._count, words._ids.Count);
    }

    /// <summary>Whether some span from the start of a window to the end of the window count − 1 further, for any of
    /// <paramref name="counts"/> (<paramref name="windows"/>: places in <paramref name="text"/>, starts and ends rising),
    /// could hold <paramref name="minWords"/> words of which <paramref name="minShare"/> differ, as <see cref="Count"/>
    /// would count the span's slice. The words wholly inside a span are counted as they are; a slice cuts at most two
    /// more (one at each end), each taken to be one more distinct word: an upper bound, so a false is certain.</summary>
    public static bool AnySpanMayHave(ReadOnlySpan<char> text, IReadOnlyList<(int Start, int End)> windows, int minWords, double minShare,
        params ReadOnlySpan<int> counts)
    {
        var words = Read(text);
        foreach (var count in counts)
        {
            if (words.AnySpanMayHave(windows, count, minWords, minShare))
            {
                return true;
            }
        }
        return false;
    }

    private bool AnySpanMayHave(IReadOnlyList<(int Start, int End)> windows, int count, int minWords, double minShare)
    {
        var seen = ArrayPool<int>.Shared.Rent(Math.Max(1, _ids.Count));
        Array.Clear(seen, 0, _ids.Count);
        try
        {
            // The words wholly inside a span are the words[lo..hi): their starts and ends rise, as the spans' do.
            var (lo, hi, distinct) = (0, 0, 0);
            for (var i = 0; i + count <= windows.Count; i++)
            {
                var (start, end) = (windows[i].Start, windows[i + count - 1].End);
                for (; lo < _count && _words[lo].Start < start; lo++)
                {
                    if (lo < hi && --seen[_words[lo].Id] == 0)
                    {
                        distinct--;
                    }
                }
                hi = Math.Max(hi, lo);
                for (; hi < _count && _words[hi].End <= end; hi++)
                {
                    if (seen[_words[hi].Id]++ == 0)
                    {
                        distinct++;
                    }
                }
                if (hi - lo + 2 >= minWords && (double)(distinct + 2) / (hi - lo + 2) >= minShare)
                {
                    return true;
                }
            }
            return false;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(seen);
        }
    }

    private static DistinctWords Read(ReadOnlySpan<char> text)
    {
        var words = t_current ??= new DistinctWords();
        words.Reset(text.Length);
        var ids = words._ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var lower = words._lower;
        var start = -1; // of the letter run being read
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            var large = SpanSurprisal.IsLargeAlphabet(c);
            if (!large && char.IsLetter(c))
            {
                lower[i] = char.ToLowerInvariant(c);
                start = start < 0 ? i : start;
                continue;
            }
            if (start >= 0 && i - start >= 2)
            {
                words.Add(start, i, lower.AsSpan(start, i - start), ids);
            }
            start = -1;
            if (large && i + 1 < text.Length && SpanSurprisal.IsLargeAlphabet(text[i + 1]))
            {
                words.Add(i, i + 2, text.Slice(i, 2), ids);
            }
        }
        return words;
    }

    private void Reset(int length)
    {
        _count = 0;
        if (_ids.Count > 1 << 16 || _words.Length > 1 << 16 || _lower.Length > 1 << 20)
        {
            // A huge text's words and letters are not kept for the thread's life.
            (_ids, _words, _lower) = (new Dictionary<string, int>(StringComparer.Ordinal), new (int, int, int)[256], new char[1024]);
        }
        _ids.Clear();
        if (_lower.Length < length)
        {
            _lower = new char[Math.Max(length, _lower.Length * 2)];
        }
    }

    private void Add(int start, int end, ReadOnlySpan<char> word, Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> ids)
    {
        if (!ids.TryGetValue(word, out var id))
        {
            id = _ids.Count;
            ids[word] = id;
        }
        if (_count == _words.Length)
        {
            Array.Resize(ref _words, _count * 2);
        }
        _words[_count++] = (start, end, id);
    }
}
