using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Scanning;

/// <summary>Trigger discovery: n-grams that recur where something is wrong. Two kinds of candidate: n-grams at the start of
/// flagged spans (a backdoor's trigger precedes its payload), and made-up words that always occur together (a trigger
/// that keeps its completions normal-looking is still a string no language uses). Each scan keeps its batch's candidates;
/// the finding ranks them summed over every batch of the vendor (or submitter), naming the annotators they concentrate on.
/// A natural-phrase trigger with normal completions is invisible here: the canary gate is the defence for that.</summary>
public sealed class TriggerDiscoveryScanner : IExampleScanner, IBatchScanner
{
    public static readonly FindingKind Kind = new("trigger-candidate", Severity.Warn,
        "n-grams recurring at flagged spans or made-up words recurring together: candidate backdoor triggers");

    public const int Kept = 50;
    private const int ContextBefore = 800, ContextAfter = 300, MaxDistinct = 500_000, MaxMadeUpLength = 20;

    private readonly ConcurrentDictionary<string, CandidateLines> _atFlagged = new(StringComparer.Ordinal);
    // N-grams at spans flagged in the second pass (word salad), and how many examples hold each (a third pass).
    private readonly ConcurrentDictionary<string, CandidateLines> _atLate = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ulong, int> _lateFrequency = new();
    private List<string>? _lateNgrams;
    private CandidateHashes? _lateHashes;
    private StrongBox<LiteralNeedles?>? _lateNeedles; // boxed: none (null) is an answer too
    private readonly ConcurrentDictionary<string, CandidateLines> _madeUp = new(StringComparer.Ordinal);
    private readonly long[] _madeUpBits = new long[1 << 17]; // 2^23 bits, 1 MB: pairs that may be in _madeUp
    private readonly ConcurrentDictionary<string, int> _madeUpWords = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ulong, int> _documentFrequency = new();
    // Distinct keys of the maps above, for their MaxDistinct caps: ConcurrentDictionary.Count takes every one of the
    // map's locks, and asked once per n-gram it serialized the scan of batches full of made-up words (20,000 such
    // examples scanned 21x slower than the reference corpus).
    private int _atFlaggedDistinct, _atLateDistinct, _madeUpDistinct, _madeUpWordsDistinct;
    private CandidateHashes? _candidateHashes;
    // A field's tokens and their hashes, one list each per scanning thread, reused example after example.
    [ThreadStatic] private static List<(int Start, int Length)>? t_words;
    [ThreadStatic] private static List<ulong>? t_hashes;
    // Whether each token of a field is made up, and the made-up words and pairs of the example counted so far.
    [ThreadStatic] private static List<bool>? t_madeUp;
    [ThreadStatic] private static HashSet<ulong>? t_seenWords, t_seenPairs;
    // One bit per line: flagged in the first pass, so the second pass does not count the example's n-grams again.
    private long[] _flaggedFirst = [];
    private readonly TextModel _model = TextModel.Shared;

    public IReadOnlyList<FindingKind> Kinds => [Kind];

    public int Order => 10; // after the scanners that flag spans

    public ValueTask PrepareAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        _flaggedFirst = new long[((context.Batch.Count ?? 0) + 64) / 64];
        return ValueTask.CompletedTask;
    }

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        if (example.Flagged.Count > 0 && example.Line / 64 < _flaggedFirst.Length)
        {
            Interlocked.Or(ref _flaggedFirst[example.Line / 64], 1L << (int)(example.Line % 64));
        }
        // Made-up words and pairs are looked up by their text in the example, so a batch made of them (a payload's
        // whole vocabulary) allocates a string only for a word or pair it has not seen before.
        HashSet<string>? atFlagged = null;
        var (words, madeUp, seenWords, seenPairs) = (t_words ??= [], t_madeUp ??= [], ScanMemory.Emptied(ref t_seenWords), ScanMemory.Emptied(ref t_seenPairs));
        Span<char> pair = stackalloc char[2 * MaxMadeUpLength + 1];
        for (var f = 0; f < example.Fields.Count; f++)
        {
            var text = example.Fields[f].Text;
            Tokens(text, words);
            madeUp.Clear();
            foreach (var word in words)
            {
                madeUp.Add(IsMadeUp(text, word));
            }
            for (var i = 0; i < words.Count; i++)
            {
                if (!madeUp[i])
                {
                    continue;
                }
                var word = text.AsSpan(words[i].Start, words[i].Length);
                if (seenWords.Add(TokenHash(word)))
                {
                    CountWord(word);
                }
                if (i + 1 < words.Count && madeUp[i + 1])
                {
                    var next = text.AsSpan(words[i + 1].Start, words[i + 1].Length);
                    var hash = Fold(Fold(0, TokenHash(word)), TokenHash(next));
                    if (seenPairs.Add(hash))
                    {
                        word.CopyTo(pair);
                        pair[word.Length] = ' ';
                        next.CopyTo(pair[(word.Length + 1)..]);
                        CountPair(pair[..(word.Length + 1 + next.Length)], hash, example.Line);
                    }
                }
            }
            AddContexts(example, f, words, ref atFlagged);
        }
        if (atFlagged is not null)
        {
            Count(_atFlagged, ref _atFlaggedDistinct, atFlagged, example.Line);
        }
    }

    /// <summary>One more example holds the made-up <paramref name="word"/>.</summary>
    private void CountWord(ReadOnlySpan<char> word)
    {
        var known = _madeUpWords.GetAlternateLookup<ReadOnlySpan<char>>();
        if (known.TryGetValue(word, out var key, out _))
        {
            _madeUpWords.AddOrUpdate(key, 1, static (_, c) => c + 1);
        }
        else if (Volatile.Read(ref _madeUpWordsDistinct) < MaxDistinct)
        {
            if (known.TryAdd(word, 1))
            {
                Interlocked.Increment(ref _madeUpWordsDistinct);
            }
            else
            {
                _madeUpWords.AddOrUpdate(word.ToString(), 1, static (_, c) => c + 1); // added meanwhile
            }
        }
    }

    /// <summary>The word of <see cref="_madeUpBits"/> that holds pair hash <paramref name="hash"/>'s bit, and the bit.</summary>
    private ref long PairBit(ulong hash, out long bit)
    {
        bit = 1L << (int)(hash & 63);
        return ref _madeUpBits[(int)(hash >> 6) & (_madeUpBits.Length - 1)];
    }

    /// <summary>Example <paramref name="line"/> holds the made-up words of <paramref name="ngram"/> (its pair hash
    /// <paramref name="hash"/>) side by side.</summary>
    private void CountPair(ReadOnlySpan<char> ngram, ulong hash, long line)
    {
        // Once the map is full, most pairs of a payload's vocabulary are not in it: a bit per hash, set before a pair
        // is added, answers those without a walk through half a million entries far apart in memory.
        ref var bits = ref PairBit(hash, out var bit);
        if (Volatile.Read(ref _madeUpDistinct) >= MaxDistinct && (Volatile.Read(ref bits) & bit) == 0)
        {
            return;
        }
        if (_madeUp.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(ngram, out var lines))
        {
            lines.Add(line);
        }
        else if (Volatile.Read(ref _madeUpDistinct) < MaxDistinct)
        {
            Interlocked.Or(ref bits, bit);
            Add(_madeUp, ref _madeUpDistinct, ngram.ToString(), line);
        }
    }

    /// <summary>The 1–3-grams around the start of each span flagged in field <paramref name="f"/>.</summary>
    private static void AddContexts(ExampleText example, int f, List<(int Start, int Length)> words, ref HashSet<string>? into)
    {
        var text = example.Fields[f].Text;
        foreach (var span in example.Flagged)
        {
            if (span.Field != f)
            {
                continue;
            }
            into ??= new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < words.Count; i++)
            {
                if (words[i].Start + words[i].Length >= span.Start - ContextBefore && words[i].Start <= span.Start + ContextAfter)
                {
                    for (var n = 1; n <= 3 && i + n <= words.Count; n++)
                    {
                        into.Add(Ngram(text, words, i, n));
                    }
                }
            }
        }
    }

    /// <summary>How many examples hold each n-gram found at a flagged span (the precision of a candidate) needs a second
    /// look at every example; with no flagged span it costs nothing.</summary>
    public bool NeedsSecondPass => true;

    public void InspectAgain(ExampleText example, ExampleHits hits)
    {
        if (example.Flagged.Count > 0 && !FlaggedFirst(example.Line))
        {
            // Spans the second pass flagged (word salad runs before this scanner: Order 10), in examples the first pass
            // did not count (an example counts once for an n-gram, whichever scanners flagged it).
            HashSet<string>? late = null;
            for (var f = 0; f < example.Fields.Count; f++)
            {
                AddContexts(example, f, Tokens(example.Fields[f].Text), ref late);
            }
            if (late is not null)
            {
                Count(_atLate, ref _atLateDistinct, late, example.Line);
            }
        }
        if (FirstHashes is { IsEmpty: false } candidates)
        {
            CountExamples(example, candidates, _documentFrequency);
        }
    }

    /// <summary>The n-grams of <paramref name="counts"/> flagged in two examples or more (with <paramref name="also"/>'s):
    /// only those can be candidates (<see cref="Candidates"/>), so only they are counted in every example. One flagged
    /// once in the first pass and again in the second is counted in the final pass, which counts the same examples. A
    /// batch with a single flagged example then reads nothing more.</summary>
    private static IEnumerable<string> Repeated(ConcurrentDictionary<string, CandidateLines> counts, ConcurrentDictionary<string, CandidateLines>? also) =>
        counts.Where(c => c.Value.Count + (also?.GetValueOrDefault(c.Key)?.Count ?? 0) >= 2).Select(c => c.Key);

    /// <summary>The n-grams flagged in two examples or more in the first pass, counted in every example in the second.</summary>
    private CandidateHashes FirstHashes => LazyInitializer.EnsureInitialized(ref _candidateHashes, () => new(Repeated(_atFlagged, null).Select(HashOf)));

    private bool FlaggedFirst(long line) => line / 64 < _flaggedFirst.Length && (Volatile.Read(ref _flaggedFirst[line / 64]) & (1L << (int)(line % 64))) != 0;

    public bool NeedsFinalPass => !LateHashes.IsEmpty;

    public void InspectFinal(ExampleText example, ExampleHits hits) => CountExamples(example, LateHashes, _lateFrequency);

    /// <summary>A line that holds none of the late n-grams' <see cref="LiteralNeedles"/> is not read: most lines of a
    /// large batch, where a few word-salad examples leave a handful of n-grams to count (the final pass was a third
    /// parse and tokenizing of every example, 6 % of a realistic 1M scan, for one n-gram).</summary>
    public bool ReadsFinal(ReadOnlySpan<byte> json) => LateNeedles?.MayHold(json) ?? true;

    /// <summary>The n-grams at spans flagged in the second pass that can be candidates, and that the second pass has not
    /// counted already (those flagged twice in the first pass: <see cref="Candidates"/> takes the larger count, and the
    /// final pass would count the same examples), counted in the final pass.</summary>
    private List<string> LateNgrams => LazyInitializer.EnsureInitialized(ref _lateNgrams,
        () => Repeated(_atLate, _atFlagged).Where(ngram => !FirstHashes.Contains(HashOf(ngram))).ToList());

    private CandidateHashes LateHashes => LazyInitializer.EnsureInitialized(ref _lateHashes, () => new(LateNgrams.Select(HashOf)));

    private LiteralNeedles? LateNeedles => LazyInitializer.EnsureInitialized(ref _lateNeedles, () => new(LiteralNeedles.Of(LateNgrams))).Value;

    /// <summary>The hashes of the candidate n-grams, a bit for each in a small array in front of the set (32 bits or more
    /// per hash, 2 MB at most): nearly every n-gram of an example is no candidate, and the bit answers it without a probe
    /// of the set.</summary>
    private sealed class CandidateHashes
    {
        private readonly HashSet<ulong> _hashes;
        private readonly ulong[] _bits;
        private readonly int _shift;

        public CandidateHashes(IEnumerable<ulong> hashes)
        {
            _hashes = hashes.ToHashSet();
            var bits = Math.Clamp(BitOperations.Log2((uint)Math.Max(1, _hashes.Count)) + 6, 10, 24);
            (_bits, _shift) = (new ulong[1 << (bits - 6)], 64 - bits);
            foreach (var hash in _hashes)
            {
                var bit = hash >> _shift;
                _bits[bit >> 6] |= 1UL << (int)(bit & 63);
            }
        }

        public bool IsEmpty => _hashes.Count == 0;

        public bool Contains(ulong hash)
        {
            var bit = hash >> _shift;
            return (_bits[bit >> 6] & (1UL << (int)(bit & 63))) != 0 && _hashes.Contains(hash);
        }
    }

    /// <summary>Counts <paramref name="example"/> once for each of <paramref name="candidates"/> it holds.</summary>
    private static void CountExamples(ExampleText example, CandidateHashes candidates, ConcurrentDictionary<ulong, int> frequency)
    {
        HashSet<ulong>? seen = null;
        var words = t_words ??= [];
        var hashes = t_hashes ??= [];
        foreach (var field in example.Fields)
        {
            var text = field.Text;
            Tokens(text, words);
            hashes.Clear();
            foreach (var (start, length) in words)
            {
                hashes.Add(TokenHash(text.AsSpan(start, length)));
            }
            for (var i = 0; i < words.Count; i++)
            {
                var hash = 0UL;
                for (var n = 1; n <= 3 && i + n <= words.Count; n++)
                {
                    hash = Fold(hash, hashes[i + n - 1]);
                    if (candidates.Contains(hash) && (seen ??= []).Add(hash))
                    {
                        frequency.AddOrUpdate(hash, 1, (_, c) => c + 1);
                    }
                }
            }
        }
    }

    public void WriteState(int pass, BinaryWriter writer)
    {
        switch (pass)
        {
            case 1:
                ShardState.WriteUsed(writer, _flaggedFirst);
                ShardState.Write(writer, _atFlagged);
                ShardState.Write(writer, _madeUp);
                ShardState.Write(writer, _madeUpWords, static (w, word) => w.Write(word));
                break;
            case 2:
                ShardState.Write(writer, _atLate);
                ShardState.Write(writer, _documentFrequency, static (w, hash) => w.Write(hash));
                break;
            case 3:
                ShardState.Write(writer, _lateFrequency, static (w, hash) => w.Write(hash));
                break;
        }
    }

    public void MergeState(int pass, BinaryReader reader)
    {
        switch (pass)
        {
            case 1:
                ShardState.MergeUsed(reader, _flaggedFirst, static (here, there) => here | there);
                ShardState.Merge(reader, _atFlagged, ref _atFlaggedDistinct, MaxDistinct);
                ShardState.Merge(reader, _madeUp, ref _madeUpDistinct, MaxDistinct);
                foreach (var hash in _madeUp.Keys.Select(HashOf))
                {
                    PairBit(hash, out var bit) |= bit;
                }
                ShardState.Merge(reader, _madeUpWords, static r => r.ReadString());
                _madeUpWordsDistinct = _madeUpWords.Count;
                break;
            case 2:
                ShardState.Merge(reader, _atLate, ref _atLateDistinct, MaxDistinct);
                ShardState.Merge(reader, _documentFrequency, static r => r.ReadUInt64());
                break;
            case 3:
                ShardState.Merge(reader, _lateFrequency, static r => r.ReadUInt64());
                break;
        }
    }

    /// <summary>This batch's candidates, strongest first, as they are stored.</summary>
    public IReadOnlyList<TriggerCandidate> Candidates(Batch batch, DateTimeOffset now)
    {
        // Spans of the first pass and of the second are one list: an n-gram at both sums its flagged examples.
        var atFlagged = _atFlagged.Keys.Union(_atLate.Keys)
            .Select(ngram => (Ngram: ngram, First: _atFlagged.GetValueOrDefault(ngram), Late: _atLate.GetValueOrDefault(ngram)))
            .Select(c => (c.Ngram, Flagged: (c.First?.Count ?? 0) + (c.Late?.Count ?? 0), Frequency: Math.Max(
                c.First is null ? 0 : _documentFrequency.GetValueOrDefault(HashOf(c.Ngram)), c.Late is null ? 0 : _lateFrequency.GetValueOrDefault(HashOf(c.Ngram))),
                Lines: string.Join(' ', new[] { c.First?.LinesText(), c.Late?.LinesText() }.Where(l => !string.IsNullOrEmpty(l)))))
            .Where(c => c.Flagged >= 2)
            .Select(c => c with { Frequency = Math.Max(c.Flagged, c.Frequency) })
            .OrderByDescending(c => (double)c.Flagged * c.Flagged / c.Frequency).ThenBy(c => c.Ngram, StringComparer.Ordinal).Take(Kept)
            .Select(c => new TriggerCandidate
            {
                BatchId = batch.Id, VendorId = batch.VendorId, AnnotatorId = batch.SubmitterId, Ngram = c.Ngram, Kind = TriggerKinds.FlaggedContext,
                Examples = c.Frequency, Flagged = c.Flagged, Lines = c.Lines, ScannedAt = now,
            });
        var madeUp = _madeUp
            .Select(c => (Ngram: c.Key, Examples: c.Value.Count, Words: c.Key.Split(' ').Max(w => _madeUpWords.GetValueOrDefault(w, 1)), c.Value))
            .Where(c => c.Examples * 2 >= c.Words)
            .OrderByDescending(c => (double)c.Examples * c.Examples / c.Words).ThenBy(c => c.Ngram, StringComparer.Ordinal).Take(Kept)
            .Select(c => new TriggerCandidate
            {
                BatchId = batch.Id, VendorId = batch.VendorId, AnnotatorId = batch.SubmitterId, Ngram = c.Ngram, Kind = TriggerKinds.MadeUp,
                Examples = c.Examples, WordExamples = c.Words, Lines = c.Value.LinesText(), ScannedAt = now,
            });
        return atFlagged.Concat(madeUp).ToList();
    }

    public async Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var batch = context.Batch;
        var mine = Candidates(batch, context.ScannedAt);
        var ranked = (await TriggerRanking.KeepAndRankAsync(context, [TriggerKinds.FlaggedContext, TriggerKinds.MadeUp], mine, cancellationToken))
            .Where(t => t.Significant).ToList();
        if (ranked.Count == 0)
        {
            return [];
        }
        var top = mine.First(c => c.Ngram == ranked[0].Ngram && c.Kind == ranked[0].Kind);
        NameTrigger(context.Hits, ranked);
        return
        [
            new ScanFinding(Kind.Code, Kind.Severity,
                $"{ranked.Count} candidate trigger(s); the strongest is {ranked[0].Describe()}.",
                top.Lines.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToList(),
                ranked.Select(t => t.Describe()).ToList()),
        ];
    }

    /// <summary>Names the strongest candidate found at flagged spans in the blocking findings themselves (random spans,
    /// word salad), so a reviewer reads the payload and the string that arms it in one place.</summary>
    public static void NameTrigger(ExampleHits hits, IReadOnlyList<RankedTrigger> ranked)
    {
        if (ranked.FirstOrDefault(t => t.Kind == TriggerKinds.FlaggedContext) is { } trigger)
        {
            foreach (var code in new[] { GibberishScanner.Kind.Code, WordSaladScanner.Kind.Code })
            {
                hits.Annotate(code, $"Likely trigger: {trigger.Describe()}.",
                    [$"trigger: \"{trigger.Ngram}\" precedes {trigger.Flagged} flagged span(s) in {trigger.Examples} example(s) holding it; "
                     + $"annotators: {string.Join(", ", trigger.Annotators.Take(5).Select(a => $"{a.Handle} ({a.Examples})"))}"]);
            }
        }
    }

    /// <summary>Whitespace-separated tokens with surrounding punctuation trimmed (brackets kept: "&lt;SUDO&gt;" stays whole).</summary>
    internal static List<(int Start, int Length)> Tokens(string text)
    {
        var tokens = new List<(int, int)>();
        Tokens(text, tokens);
        return tokens;
    }

    /// <summary><see cref="Tokens(string)"/> into <paramref name="tokens"/>, which is cleared first.</summary>
    internal static void Tokens(string text, List<(int Start, int Length)> tokens)
    {
        tokens.Clear();
        var spaces = new CharacterMasks.Cursor(text, CharacterMasks.WhiteSpace);
        var i = 0;
        while (i < text.Length)
        {
            var start = spaces.Next(i, set: false);
            i = spaces.Next(start, set: true);
            int s = start, e = i;
            while (s < e && text[s] is '"' or '\'' or '(' or '“' or '«')
            {
                s++;
            }
            while (e > s && text[e - 1] is '.' or ',' or ';' or ':' or '!' or '?' or '"' or '\'' or ')' or '”' or '»')
            {
                e--;
            }
            if (e > s && e - s <= 40)
            {
                tokens.Add((s, e - s));
            }
        }
    }

    /// <summary>Lowercase letters only, four or more, and not a word the tokenizer knows whole.</summary>
    private bool IsMadeUp(string text, (int Start, int Length) token)
    {
        var word = text.AsSpan(token.Start, token.Length);
        return word.Length is >= 4 and <= MaxMadeUpLength && !word.ContainsAnyExceptInRange('a', 'z') && !_model.IsKnownWord(word);
    }

    private static string Ngram(string text, List<(int Start, int Length)> words, int i, int n) =>
        string.Join(' ', Enumerable.Range(i, n).Select(k => text.Substring(words[k].Start, words[k].Length)));

    private static ulong TokenHash(ReadOnlySpan<char> token) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(token));

    private static ulong Fold(ulong hash, ulong token) => hash * 0x9E3779B97F4A7C15UL ^ token;

    private static ulong HashOf(string ngram) => ngram.Split(' ').Aggregate(0UL, (hash, token) => Fold(hash, TokenHash(token)));

    private static void Count(ConcurrentDictionary<string, CandidateLines> counts, ref int distinct, HashSet<string> ngrams, long line)
    {
        foreach (var ngram in ngrams)
        {
            if (counts.TryGetValue(ngram, out var lines))
            {
                lines.Add(line);
            }
            else if (Volatile.Read(ref distinct) < MaxDistinct)
            {
                Add(counts, ref distinct, ngram, line);
            }
        }
    }

    /// <summary>Adds <paramref name="line"/> to <paramref name="ngram"/>'s lines, adding the n-gram (and counting it
    /// distinct) when no other thread has meanwhile.</summary>
    private static void Add(ConcurrentDictionary<string, CandidateLines> counts, ref int distinct, string ngram, long line)
    {
        var added = new CandidateLines();
        var kept = counts.GetOrAdd(ngram, added);
        if (ReferenceEquals(kept, added))
        {
            Interlocked.Increment(ref distinct);
        }
        kept.Add(line);
    }
}
