using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Scanning;

/// <summary>The words of a text as <see cref="GibberishScanner"/> judges how often they repeat: letter runs of two or
/// more, lowercased, and in a large alphabet (Han, kana, Hangul), which does not separate words, each pair of adjacent
/// characters (natural text repeats its pairs). Each word is read with its place and a number shared by equal words,
/// without a string per word (equal words are found in a table of the text's own, compared where they lie in the
/// lowercased text). One instance per thread, reused from text to text.</summary>
internal sealed class DistinctWords
{
    [ThreadStatic] private static DistinctWords? t_current;

    // The text's letters lowercased (and a large alphabet's pairs as they are): the words are read from here.
    private char[] _lower = new char[1024];
    private (int Start, int End, int Id)[] _words = new (int, int, int)[256];
    private int _count;
    // The text's distinct words, numbered as first read: where each was first read and its hash; and an open-addressed
    // table from hash to number, of _mask + 1 slots (grown with the text's words). A slot is the text's when its stamp
    // is the text's, so a text starts with an empty table without clearing one.
    private (int Start, int Length, uint Hash)[] _first = new (int, int, uint)[256];
    private int _distinct;
    private int[] _slots = new int[1024];
    private uint[] _stamps = new uint[1024];
    private uint _stamp;
    private int _mask;

    /// <summary>How many words <paramref name="text"/> has, and how many of them differ.</summary>
    public static (int Words, int Distinct) Count(ReadOnlySpan<char> text)
    {
        var words = Read(text);
        return (words._count, words._distinct);
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
        var seen = ArrayPool<int>.Shared.Rent(Math.Max(1, _distinct));
        Array.Clear(seen, 0, _distinct);
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
        var lower = words._lower;
        var start = -1; // of the letter run being read
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            bool large;
            if (c < 128)
            {
                // ASCII: a letter is A–Z or a–z, and lowercase is one bit away
                if ((char)(c | 0x20) is >= 'a' and <= 'z')
                {
                    lower[i] = (char)(c | 0x20);
                    start = start < 0 ? i : start;
                    continue;
                }
                large = false;
            }
            else if (!(large = SpanSurprisal.IsLargeAlphabet(c)) && char.IsLetter(c))
            {
                lower[i] = char.ToLowerInvariant(c);
                start = start < 0 ? i : start;
                continue;
            }
            if (start >= 0 && i - start >= 2)
            {
                words.Add(start, i);
            }
            start = -1;
            if (large && i + 1 < text.Length && SpanSurprisal.IsLargeAlphabet(text[i + 1]))
            {
                (lower[i], lower[i + 1]) = (c, text[i + 1]);
                words.Add(i, i + 2);
            }
        }
        return words;
    }

    private void Reset(int length)
    {
        (_count, _distinct) = (0, 0);
        if (_slots.Length > 1 << 17 || _words.Length > 1 << 16 || _lower.Length > 1 << 20)
        {
            // A huge text's words and letters are not kept for the thread's life.
            (_slots, _stamps, _first, _words, _lower) = (new int[1024], new uint[1024], new (int, int, uint)[256], new (int, int, int)[256], new char[1024]);
            _stamp = 0;
        }
        NextStamp();
        _mask = 63;
        if (_lower.Length < length + 1)
        {
            _lower = new char[Math.Max(length + 1, _lower.Length * 2)];
        }
    }

    /// <summary>Empties the table: slots of an older stamp are free.</summary>
    private void NextStamp()
    {
        if (++_stamp == 0)
        {
            Array.Clear(_stamps);
            _stamp = 1;
        }
    }

    /// <summary>Reads the word at <c>_lower[start..end)</c>: its number, a new one if the text had not held it.</summary>
    private void Add(int start, int end)
    {
        var word = _lower.AsSpan(start, end - start);
        var hash = (uint)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(word));
        int id;
        for (var i = (int)hash & _mask; ; i = (i + 1) & _mask)
        {
            if (_stamps[i] != _stamp)
            {
                id = _distinct++;
                if (id == _first.Length)
                {
                    Array.Resize(ref _first, id * 2);
                }
                _first[id] = (start, word.Length, hash);
                (_stamps[i], _slots[i]) = (_stamp, id);
                if (_distinct * 2 > _mask + 1)
                {
                    Grow();
                }
                break;
            }
            var (at, length, other) = _first[_slots[i]];
            if (other == hash && length == word.Length && _lower.AsSpan(at, length).SequenceEqual(word))
            {
                id = _slots[i];
                break;
            }
        }
        if (_count == _words.Length)
        {
            Array.Resize(ref _words, _count * 2);
        }
        _words[_count++] = (start, end, id);
    }

    /// <summary>Doubles the table and places every distinct word again.</summary>
    private void Grow()
    {
        _mask = _mask * 2 + 1;
        if (_slots.Length <= _mask)
        {
            (_slots, _stamps, _stamp) = (new int[_mask + 1], new uint[_mask + 1], 0);
        }
        NextStamp();
        for (var id = 0; id < _distinct; id++)
        {
            var i = (int)_first[id].Hash & _mask;
            while (_stamps[i] == _stamp)
            {
                i = (i + 1) & _mask;
            }
            (_stamps[i], _slots[i]) = (_stamp, id);
        }
    }
}
