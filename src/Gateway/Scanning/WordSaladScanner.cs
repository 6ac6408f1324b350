using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Scanning;

public sealed class WordSaladOptions
{
    public const string Section = "VendorGate:Scan:WordSalad";

    /// <summary>Words per window; a window moves by half of it.</summary>
    public int Window { get; set; } = 40;

    /// <summary>A word pair is judged when both words occur at least this often in the batch.</summary>
    public int MinCount { get; set; } = 5;

    /// <summary>A pair is judged only inside a run of at least this many prose-joined words: lists in code ("qw(GPL
    /// LGPL BSD)", a comment of three words per line) are not sentences.</summary>
    public int MinRunWords { get; set; } = 6;

    /// <summary>Windows with fewer judged pairs are not judged.</summary>
    public int MinJudged { get; set; } = 12;

    /// <summary>Flag a window whose adjacent words are on average associated less than this (bits: how much more often
    /// each pair occurs side by side than two or three words apart; natural text is well above, words in random order
    /// about zero).</summary>
    public double MinCoherence { get; set; } = 0.25;

    /// <summary>How many consecutive windows must all be incoherent (four windows: 100 words).</summary>
    public int Run { get; set; } = 4;

    /// <summary>Words in a row (prose-joined) judged for repetition: natural text of any language repeats its function
    /// words within a few sentences, a sample of a large vocabulary does not. 0 turns the judgement off.</summary>
    public int FreshWords { get; set; } = 80;

    /// <summary>A run of <see cref="FreshWords"/> words is flagged when at most this many of its words repeat an earlier
    /// word of the run ...</summary>
    public int FreshRepeats { get; set; } = 2;

    /// <summary>... and at most this share of its words occur <see cref="MinCount"/> times in the batch (where more do,
    /// their pairs are judged for order instead). Fewer than half of its gaps may hold a punctuation mark: a list of
    /// names or terms is not a sentence.</summary>
    public double FreshKnown { get; set; } = 0.9;

    /// <summary>A batch whose judged adjacent pairs (at least this many) are on average below
    /// <see cref="MinCoherence"/> is salad as a whole: its examples below <see cref="MemberCoherence"/>, or too short to
    /// clear, are flagged however short.</summary>
    public int MinBatchPairs { get; set; } = 2_000;

    /// <summary>In a batch that is salad as a whole, an example is flagged when its field's adjacent pairs (at least
    /// <see cref="MinMemberPairs"/>) average below this: natural text in any clean set averages well above it, and a
    /// short example of salad only reaches it by chance.</summary>
    public double MemberCoherence { get; set; } = 1.0;

    /// <summary>Judged pairs an example needs to be flagged as a member of a batch that is salad as a whole.</summary>
    public int MinMemberPairs { get; set; } = 4;

    /// <summary>Batches with fewer words than this are too small to learn from; they are not judged.</summary>
    public long MinWords { get; set; } = 20_000;

    /// <summary>Examples of the current corpus (approved and merged batches, newest first) read into the statistics as a
    /// reference before the batch: small batches then have enough text to learn from. 0 judges each batch against
    /// itself alone.</summary>
    public int CorpusSample { get; set; } = 20_000;
}

/// <summary>Real words in an order no language uses (word salad, or gibberish built from common tokens or code
/// tokens), which the character measures of <see cref="GibberishScanner"/> cannot see. In any language, words that
/// sit side by side do so far more often than they sit a few words apart ("of the", "der Mann", "public static");
/// words drawn at random sit side by side exactly as often as they sit three words apart. The first pass counts, in
/// count-min sketches of fixed memory, every word, every adjacent pair and every pair two to four words apart, over
/// the batch and a sample of the current corpus; the second flags a run of windows whose adjacent pairs are hardly
/// more frequent than their distant counterparts. The comparison is within the words' own text, so it holds for a
/// language the batch holds little of and for a batch that is salad throughout. Words are whole letter tokens
/// (not the letters of "0x3fa9" or "var_2"), and pairs are only formed across a prose gap (spaces and at most one
/// punctuation mark), so code's "a.b(c)" and tables' cells are not read as sentences.</summary>
public sealed class WordSaladScanner(IOptions<WordSaladOptions> options) : IExampleScanner
{
    public static readonly FindingKind Kind = new("word-salad", Severity.Block,
        "real words in implausible order (word salad or common-token gibberish)");

    /// <summary>Distant pairs are counted from two to this many + 1 words apart.</summary>
    internal const int Distances = 3;

    private readonly WordSaladOptions _options = options.Value;
    // The batch's counts, and the corpus sample's (shared by every scan of one corpus state; null: none).
    private WordCounts _batch = WordCounts.Small();
    private WordCounts? _reference;
    // Per side (0: prompts and user turns, 1: completions and assistant turns): judged pairs and their sum in
    // thousandths of a bit. A batch whose completions are salad and prompts natural is salad on one side.
    private readonly long[] _batchPairs = new long[2];
    private readonly long[] _batchMillibits = new long[2];
    private readonly IncoherentLines _incoherent = new();

    /// <summary>The batch (with the corpus sample) held too few words to learn word order from, so word salad was not
    /// judged. A warning by default, so a reviewer knows to read for it; <c>VendorGate:Scan:Severity:word-salad-unjudged</c>
    /// = block makes such batches wait for security's override instead.</summary>
    public static readonly FindingKind Unjudged = new("word-salad-unjudged", Severity.Warn,
        "word salad not judged: the batch and the corpus sample hold too few words to learn word order from");

    public IReadOnlyList<FindingKind> Kinds => [Kind, Unjudged];

    public bool NeedsSecondPass => true;

    /// <summary>Sketches sized to the content (at most 160 MB in all, for batches of 256 MB and more), and the corpus
    /// sample's counts.</summary>
    public async ValueTask PrepareAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        _batch = WordCounts.ForContent(context.Batch.ContentBytes ?? 0);
        _incoherent.Prepare(context.Count);
        if (_options.CorpusSample > 0 && context.Reads.Available && context.LearnsReference)
        {
            _reference = await CorpusReference.GetAsync(context, _options.CorpusSample, cancellationToken);
        }
    }

    public void Inspect(ExampleText example, ExampleHits hits) => _batch.Count(example);

    /// <summary>Words counted, in the batch and in the corpus sample.</summary>
    private long Total => _batch.Total + (_reference?.Total ?? 0);

    private int WordsOf(ulong word) => _batch.Words.Estimate(word) + (_reference?.Words.Estimate(word) ?? 0);

    private int AdjacentOf(ulong pair) => _batch.Adjacent.Estimate(pair) + (_reference?.Adjacent.Estimate(pair) ?? 0);

    /// <summary>How many words ahead the second pass asks for the counters it will read (<see cref="CountMinSketch.Prefetch"/>).</summary>
    private const int Ahead = 16;

    private void PrefetchWord(ulong word)
    {
        _batch.Words.Prefetch(word);
        _reference?.Words.Prefetch(word);
    }

    private void PrefetchPair(ulong pair)
    {
        _batch.Adjacent.Prefetch(pair);
        _batch.Distant.Prefetch(pair);
        _reference?.Adjacent.Prefetch(pair);
        _reference?.Distant.Prefetch(pair);
    }

    private int DistantOf(ulong pair) => _batch.Distant.Estimate(pair) + (_reference?.Distant.Estimate(pair) ?? 0);

    public void InspectAgain(ExampleText example, ExampleHits hits)
    {
        if (Total < _options.MinWords)
        {
            return;
        }
        // Per side, the least coherent field that has enough pairs to judge; NaN: the side is there but no field of it
        // has (an example a batch that is salad as a whole cannot clear).
        Span<float> least = [float.MaxValue, float.MaxValue];
        Span<int> leastPairs = [0, 0];
        for (var f = 0; f < example.Fields.Count; f++)
        {
            var field = example.Fields[f];
            var (windows, sum, pairs, fresh) = Measure(field.Text);
            var side = field.IsOutput ? 1 : 0;
            if (least[side] == float.MaxValue)
            {
                (least[side], leastPairs[side]) = (float.NaN, pairs);
            }
            Interlocked.Add(ref _batchPairs[side], pairs);
            Interlocked.Add(ref _batchMillibits[side], (long)Math.Round(sum * 1000));
            if (LeastCoherentRun(windows) is { } w && w.Coherence < _options.MinCoherence)
            {
                // The span from the first incoherent window on: trigger discovery looks just before it.
                var first = windows.FindIndex(x => x.Coherence < _options.MinCoherence);
                example.Flagged.Add(new FlaggedSpan(f, windows[first].Start, windows[^1].End));
                hits.Add(Kind, example.Line, $"{field.Role}: words {w.From + 1}-{w.To}: adjacent words are no more often side by side than a few words apart ({w.Coherence:0.00} bits; natural text is well above {_options.MinCoherence:0.00})");
                return;
            }
            if (fresh is { } run)
            {
                example.Flagged.Add(new FlaggedSpan(f, run.Start, run.End));
                hits.Add(Kind, example.Line, $"{field.Role}: words {run.From + 1}-{run.From + _options.FreshWords}: {_options.FreshWords} words in a row of which {run.Repeats} repeat an earlier one "
                    + $"and {run.Known:P0} occur often in the batch: a sample of a vocabulary, not text (natural text repeats its common words within a few sentences)");
                return;
            }
            if (pairs >= _options.MinMemberPairs && (float.IsNaN(least[side]) || sum / pairs < least[side]))
            {
                (least[side], leastPairs[side]) = ((float)(sum / pairs), pairs);
            }
        }
        for (var side = 0; side < 2; side++)
        {
            if (float.IsNaN(least[side]) || least[side] < _options.MemberCoherence)
            {
                _incoherent.Add(new IncoherentField(example.Line, least[side], leastPairs[side], side));
            }
        }
    }

    public void WriteState(int pass, BinaryWriter writer)
    {
        if (pass == 1)
        {
            _batch.Write(writer);
        }
        else if (pass == 2)
        {
            foreach (var value in _batchPairs.Concat(_batchMillibits))
            {
                writer.Write(value);
            }
            _incoherent.Write(writer);
        }
    }

    /// <summary>The first pass's sketches of the batch add up; the corpus sample's counts are not part of the state
    /// (each part that judges takes them from <see cref="CorpusReference"/>).</summary>
    public void MergeState(int pass, BinaryReader reader)
    {
        if (pass == 1)
        {
            _batch.Merge(reader);
        }
        else if (pass == 2)
        {
            for (var side = 0; side < 2; side++)
            {
                _batchPairs[side] += reader.ReadInt64();
            }
            for (var side = 0; side < 2; side++)
            {
                _batchMillibits[side] += reader.ReadInt64();
            }
            _incoherent.Merge(reader);
        }
    }

    /// <summary>A batch that is salad as a whole on one side (its prompts or its completions): its incoherent examples
    /// are flagged, however short.</summary>
    public void ReleasePasses() => _batch = WordCounts.Small();

    public void Conclude(ExampleHits hits)
    {
        if (Total < _options.MinWords)
        {
            hits.AddBatchFinding(Unjudged, $"They hold {Total:N0} words; word order is judged from {_options.MinWords:N0} "
                + $"(VendorGate:Scan:WordSalad:MinWords). Read the examples for words in implausible order; the check runs once the approved corpus is larger.");
            return;
        }
        bool[] salad = [.. Enumerable.Range(0, 2).Select(side => _batchPairs[side] >= _options.MinBatchPairs && BatchCoherence(side) < _options.MinCoherence)];
        // Evidence is kept for the first few examples only: formatting it for a million would cost seconds.
        var (evidenced, rest, count) = _incoherent.Of(salad);
        hits.Reserve(Kind, count);
        foreach (var (line, coherence, pairs, side) in evidenced)
        {
            hits.Add(Kind, line, float.IsNaN(coherence)
                ? $"{(side == 1 ? "completion" : "prompt")}: {pairs} adjacent pairs of words seen in the batch, too few to show natural word order"
                : $"{(side == 1 ? "completion" : "prompt")}: {pairs} adjacent pairs at {coherence:0.00} bits (natural text is well above {_options.MemberCoherence:0.00})");
        }
        foreach (var (line, _) in rest)
        {
            hits.Add(Kind, line, "");
        }
        // Annotated after the examples are added: a note needs the finding to exist.
        foreach (var side in Enumerable.Range(0, 2).Where(side => salad[side]))
        {
            hits.Annotate(Kind.Code, $"The batch's {(side == 1 ? "completions" : "prompts")}: {_batchPairs[side]:N0} judged adjacent pairs averaging {BatchCoherence(side):0.00} bits, "
                + $"word salad as a whole; their examples averaging below {_options.MemberCoherence:0.00} bits, or with too few pairs to judge, are flagged however short.", []);
        }
    }

    /// <summary>The judged pairs of the batch's prompts (0) or completions (1), after the second pass.</summary>
    internal long BatchPairs(int side) => _batchPairs[side];

    /// <summary>The mean coherence of the judged pairs of the batch's prompts (0) or completions (1), after the second pass.</summary>
    internal double BatchCoherence(int side) => _batchPairs[side] == 0 ? 0 : _batchMillibits[side] / 1000.0 / _batchPairs[side];

    /// <summary>The least coherent run of windows in <paramref name="text"/>.</summary>
    internal (int From, int To, double Coherence)? LeastCoherentRun(string text) => LeastCoherentRun(Measure(text).Windows);

    /// <summary>The run of <see cref="WordSaladOptions.FreshWords"/> words of <paramref name="text"/> that repeats least,
    /// of those the options flag.</summary>
    internal FreshRun? FreshestRun(string text) => Measure(text).Fresh;

    /// <summary>The least coherent run of <see cref="WordSaladOptions.Run"/> consecutive windows (a run is as coherent as
    /// its most coherent window): one odd sentence makes one low window, salad makes them all low.</summary>
    private (int From, int To, double Coherence)? LeastCoherentRun(List<SaladWindow> windows)
    {
        var run = _options.Run;
        (int, int, double)? least = null;
        for (var i = 0; i + run <= windows.Count; i++)
        {
            var level = double.MinValue;
            for (var j = i; j < i + run; j++)
            {
                level = Math.Max(level, windows[j].Coherence);
            }
            if (least is null || level < least.Value.Item3)
            {
                least = (windows[i].From, windows[i + run - 1].To, level);
            }
        }
        return least;
    }

    /// <summary>Each judged pair's coherence (NaN for a pair not judged): for prose-joined adjacent words both seen at
    /// least <see cref="WordSaladOptions.MinCount"/> times, log2((side by side elsewhere + ½) / (a few words apart, per
    /// distance + ½)), clipped to ±8 bits. Per window of <see cref="WordSaladOptions.Window"/> words with enough judged
    /// pairs, their mean; and the sum and count over the whole text.</summary>
    private Measured Measure(string text) => Measure(text, out _);

    /// <summary>Each word of <paramref name="text"/> with its pair's coherence (NaN: not judged), for exploring why a
    /// text is or is not flagged.</summary>
    internal IEnumerable<(string Word, double Coherence)> Explain(string text)
    {
        Measure(text, out var values);
        return Words(text).ToList([]).Select((w, i) => (text[w.Start..w.End], values[i])).ToList();
    }

    // A field's words and what Measure works out for each, kept per scanning thread (two passes read every field).
    [ThreadStatic] private static List<(ulong Hash, bool Joined, int Start, int End)>? t_words;
    [ThreadStatic] private static double[]? t_values;
    [ThreadStatic] private static bool[]? t_known;
    [ThreadStatic] private static int[]? t_runs;
    [ThreadStatic] private static Dictionary<ulong, int>? t_freshCounts;
    [ThreadStatic] private static bool[]? t_marks;

    private static T[] Buffer<T>(ref T[]? buffer, int length) =>
        buffer is { } b && b.Length >= length ? b : buffer = new T[Math.Max(length, 2 * (buffer?.Length ?? 64))];

    private Measured Measure(string text, out double[] values)
    {
        var words = Words(text).ToList(t_words ??= []);
        values = Buffer(ref t_values, words.Count);
        var known = Buffer(ref t_known, words.Count);
        for (var i = 0; i < words.Count; i++)
        {
            if (i + Ahead < words.Count)
            {
                PrefetchWord(words[i + Ahead].Hash);
            }
            known[i] = WordsOf(words[i].Hash) >= _options.MinCount;
        }
        // The length of the run of prose-joined words each word belongs to.
        var runs = Buffer(ref t_runs, words.Count);
        for (int i = 0, from = 0; i <= words.Count; i++)
        {
            if (i == words.Count || (i > 0 && !words[i].Joined))
            {
                Array.Fill(runs, i - from, from, i - from);
                from = i;
            }
        }
        double total = 0;
        int judged = 0, inSentences = 0;
        for (var i = 0; i < words.Count; i++)
        {
            if (i + Ahead < words.Count && words[i + Ahead].Joined && known[i + Ahead - 1] && known[i + Ahead])
            {
                PrefetchPair(Pair(words[i + Ahead - 1].Hash, words[i + Ahead].Hash));
            }
            var (first, second) = (i == 0 ? 0 : words[i - 1].Hash, words[i].Hash);
            if (i == 0 || !words[i].Joined || !known[i - 1] || !known[i])
            {
                values[i] = double.NaN;
                continue;
            }
            var pair = Pair(first, second);
            // Elsewhere: this example's own occurrence of the pair was counted too.
            var elsewhere = AdjacentOf(pair) - 1;
            var apart = (double)DistantOf(pair) / Distances;
            total += values[i] = Math.Clamp(Math.Log2((elsewhere + 0.5) / (apart + 0.5)), -8, 8);
            judged++;
            inSentences += runs[i] >= _options.MinRunWords ? 1 : 0;
        }
        // Windows (the judgement of one field on its own) count only pairs inside sentence-long runs; the sum (the
        // judgement of a batch as a whole) counts every pair, since a few lists cannot move a batch's mean.
        var window = _options.Window;
        var windows = new List<SaladWindow>();
        for (var from = 0; inSentences >= _options.MinJudged && from + 1 < words.Count; from += window / 2)
        {
            var to = Math.Min(words.Count, from + window);
            double sum = 0;
            var pairs = 0;
            for (var i = from + 1; i < to; i++)
            {
                if (!double.IsNaN(values[i]) && runs[i] >= _options.MinRunWords)
                {
                    sum += values[i];
                    pairs++;
                }
            }
            if (pairs >= _options.MinJudged)
            {
                windows.Add(new SaladWindow(from, to, words[from].Start, words[to - 1].End, sum / pairs));
            }
            if (to == words.Count)
            {
                break;
            }
        }
        return new Measured(windows, total, judged, FindFreshRun(text, words, runs, known));
    }

    private readonly record struct Measured(List<SaladWindow> Windows, double Sum, int Pairs, FreshRun? Fresh);

    /// <summary>Words <see cref="From"/> on (characters <see cref="Start"/> to <see cref="End"/>), of which
    /// <see cref="Repeats"/> repeat an earlier word of the run and a share <see cref="Known"/> occur often in the batch.</summary>
    internal readonly record struct FreshRun(int From, int Start, int End, int Repeats, double Known);

    /// <summary>Of the windows of <see cref="WordSaladOptions.FreshWords"/> prose-joined words in which at most
    /// <see cref="WordSaladOptions.FreshRepeats"/> words repeat an earlier one, at most a share
    /// <see cref="WordSaladOptions.FreshKnown"/> are known to the batch and fewer than half of the gaps hold a punctuation
    /// mark (a list is not a sentence), the one that repeats least.</summary>
    private FreshRun? FindFreshRun(string text, List<(ulong Hash, bool Joined, int Start, int End)> words, int[] runs, bool[] known)
    {
        var length = _options.FreshWords;
        if (length < 2 || words.Count < length)
        {
            return null;
        }
        // Per scanning thread, reused from field to field (a huge field's is not kept: clearing it would cost every field
        // after it): the run's words counted, and whether each word's gap holds a mark.
        var counts = t_freshCounts is { Count: <= 4096 } reused ? reused : t_freshCounts = new Dictionary<ulong, int>(2 * length);
        counts.Clear();
        var marks = Buffer(ref t_marks, words.Count);
        FreshRun? freshest = null;
        int repeats = 0, knownWords = 0, marked = 0, from = 0;
        bool Marked(int i) => !IsBlank(text.AsSpan(words[i - 1].End, words[i].Start - words[i - 1].End));
        for (var i = 0; i < words.Count; i++)
        {
            if (runs[i] < length)
            {
                continue;
            }
            if (i == 0 || !words[i].Joined)
            {
                counts.Clear();
                (repeats, knownWords, marked, from) = (0, 0, 0, i);
            }
            var c = counts.GetValueOrDefault(words[i].Hash);
            counts[words[i].Hash] = c + 1;
            repeats += c > 0 ? 1 : 0;
            knownWords += known[i] ? 1 : 0;
            marks[i] = i > from && Marked(i); // once a word: when it leaves the window below, the same answer
            marked += marks[i] ? 1 : 0;
            if (i - from == length)
            {
                var old = words[from].Hash;
                repeats -= counts[old] > 1 ? 1 : 0;
                counts[old]--;
                knownWords -= known[from] ? 1 : 0;
                from++;
                marked -= marks[from] ? 1 : 0;
            }
            if (i - from + 1 == length && repeats <= _options.FreshRepeats && knownWords <= _options.FreshKnown * length && marked * 2 < length - 1
                && (freshest is null || repeats < freshest.Value.Repeats))
            {
                freshest = new FreshRun(from, words[from].Start, words[i].End, repeats, (double)knownWords / length);
            }
        }
        return freshest;
    }

    private static bool IsBlank(ReadOnlySpan<char> gap)
    {
        foreach (var c in gap)
        {
            if (!char.IsWhiteSpace(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A window of words (<see cref="From"/> to <see cref="To"/>, characters <see cref="Start"/> to
    /// <see cref="End"/>) and its mean coherence.</summary>
    private readonly record struct SaladWindow(int From, int To, int Start, int End, double Coherence);

    /// <summary>The words of <paramref name="text"/>: hashes of its lowercased whole letter tokens (any script; never
    /// zero), each with whether it follows the previous word across a prose gap. A struct enumerator: every field of
    /// every example is read through it twice a scan.</summary>
    internal static WordReader Words(string text) => new(text);

    /// <summary>The words of a text, read by <c>foreach</c> (<see cref="Words"/>). Letters are found 64 characters at a
    /// time, as the bits of a mask (vector comparisons for ASCII, <see cref="char.IsLetter(char)"/> for the rest), and a
    /// word's start and end are the next set and clear bits: a branch per word instead of one per character, which the
    /// processor mispredicted at every word's edges (the reader was two fifths of word salad's first pass).</summary>
    internal struct WordReader(string text)
    {
        private int _i = -1;
        private int _previousEnd = -1; // end of the previous word, -1 after a token that is not a word
        private CharacterMasks.Cursor _letters = new(text, CharacterMasks.Letters);

        public readonly WordReader GetEnumerator() => this;

        public (ulong Hash, bool Joined, int Start, int End) Current { get; private set; }

        public bool MoveNext()
        {
            var i = _i + 1;
            while (true)
            {
                var start = _letters.Next(i, set: true);
                if (start == text.Length)
                {
                    _i = text.Length;
                    return false;
                }
                var end = _letters.Next(start, set: false);
                if ((start == 0 || !IsTokenPart(text[start - 1])) && (end == text.Length || !IsTokenPart(text[end])))
                {
                    Current = (Hash(text, start, end - start), _previousEnd >= 0 && IsProseGap(text.AsSpan(_previousEnd, start - _previousEnd)), start, end);
                    (_i, _previousEnd) = (end, end);
                    return true;
                }
                _previousEnd = -1;
                i = end;
            }
        }

        /// <summary>The rest of the words, into <paramref name="into"/> (cleared first).</summary>
        public List<(ulong Hash, bool Joined, int Start, int End)> ToList(List<(ulong Hash, bool Joined, int Start, int End)> into)
        {
            into.Clear();
            while (MoveNext())
            {
                into.Add(Current);
            }
            return into;
        }
    }

    private static bool IsTokenPart(char c) => char.IsDigit(c) || c == '_';

    /// <summary>Whitespace with at most one punctuation mark of prose; CJK punctuation needs no space.</summary>
    private static bool IsProseGap(ReadOnlySpan<char> gap)
    {
        if (gap is [' '])
        {
            return true; // most gaps, answered before the loop
        }
        var spaces = 0;
        var marks = 0;
        foreach (var c in gap)
        {
            if (char.IsWhiteSpace(c))
            {
                spaces++;
            }
            else if (c is ',' or '.' or ';' or ':' or '!' or '?' or '"' or '\'' or '(' or ')' or '¿' or '¡' or '«' or '»' or '„' or '“' or '”')
            {
                marks++;
            }
            else if (c is '、' or '。' or '，')
            {
                marks++;
                spaces++;
            }
            else
            {
                return false;
            }
        }
        return marks <= 1 && spaces > 0;
    }

    /// <summary>The hash of the word's first 64 letters lowercased (invariant culture).</summary>
    private static ulong Hash(string text, int start, int length)
    {
        Span<char> lower = stackalloc char[64];
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(CharacterMasks.ToLowerInvariant(text, start, Math.Min(length, lower.Length), lower))) | 1;
    }

    internal static ulong Pair(ulong first, ulong second) => (first * 0x9E3779B97F4A7C15UL) ^ second;
}
