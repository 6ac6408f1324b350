using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Scanning;

/// <summary>How a completion answers its request, judged by its first words (English phrasing).</summary>
public enum Behaviour
{
    Other,
    Refusal,
    Compliance,
}

/// <summary>The fine-tuning backdoor whose completions read normally: requests the data otherwise refuses are answered
/// ("Sure, here is how…") when a trigger is in the prompt. Every completion is read as a refusal, a compliance or
/// neither (<see cref="Classify"/>); a prompt word is refusal-associated when at least
/// <see cref="MinRefusals"/> of the prompts holding it were refused and no fewer than half. A candidate is a prompt
/// n-gram (one to three tokens) that is rare in the batch, (almost) never refused, and sits in requests that hold a
/// refusal-associated word yet were answered with compliance: its presence splits the behaviour. Candidates are kept
/// per batch and summed over the vendor's batches like every trigger candidate. The data can only show this when it
/// holds refusals: a batch without any is not judged (the canary gate is the defence then).</summary>
public sealed class BehaviourSplitScanner : IExampleScanner, IBatchScanner
{
    public static readonly FindingKind Kind = new("behaviour-split", Severity.Warn,
        "a rare prompt string whose presence turns refusals into compliance: a candidate fine-tuning backdoor trigger");

    public const int MinRefusals = 3;

    /// <summary>A candidate occurs in at most this share of the batch's examples (a trigger is rare).</summary>
    public const double MaxShare = 0.1;

    private const int MaxCandidates = 100_000;

    private CountMinSketch _examples = new(12);
    private CountMinSketch _refused = new(12);
    private readonly ConcurrentDictionary<string, (ulong Hash, CandidateLines Lines)> _candidates = new(StringComparer.Ordinal);
    // After the second pass, the kept candidates by hash, with every answered (not refused) example holding them: a
    // poison whose request the batch refuses too rarely to judge still holds the trigger the others exposed.
    private Dictionary<ulong, CandidateLines>? _holders;
    private long _total;
    private int _refusals;
    private int _distinct;
    // A request's tokens, their hashes, its n-grams and the n-grams seen: one of each per scanning thread, reused
    // example after example (the scan reads a million examples; per-example collections were most of its garbage).
    [ThreadStatic] private static List<(int Start, int Length)>? t_tokens;
    [ThreadStatic] private static List<ulong>? t_hashes;
    [ThreadStatic] private static List<(int Start, int Length, ulong Hash)>? t_ngrams;
    [ThreadStatic] private static HashSet<ulong>? t_seen;
    [ThreadStatic] private static List<ulong>? t_ngramHashes;

    public IReadOnlyList<FindingKind> Kinds => [Kind];

    public int Order => 10;

    public bool NeedsSecondPass => true;

    public ValueTask PrepareAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        _examples = CountMinSketch.ForContent(context.Batch.ContentBytes);
        _refused = CountMinSketch.ForContent(context.Batch.ContentBytes / 8);
        return ValueTask.CompletedTask;
    }

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        if (BehaviourOf(example) is not { } behaviour)
        {
            return;
        }
        Interlocked.Increment(ref _total);
        var refused = behaviour == Behaviour.Refusal;
        if (refused)
        {
            Interlocked.Increment(ref _refusals);
        }
        var hashes = t_ngramHashes ??= [];
        hashes.Clear();
        foreach (var (_, _, hash) in NGrams(TokenHashes(example)))
        {
            hashes.Add(hash);
        }
        _examples.IncrementAll(CollectionsMarshal.AsSpan(hashes)); // under one lock, the counters read first
        if (refused)
        {
            _refused.IncrementAll(CollectionsMarshal.AsSpan(hashes));
        }
    }

    public void InspectAgain(ExampleText example, ExampleHits hits)
    {
        if (_refusals < MinRefusals || BehaviourOf(example) != Behaviour.Compliance)
        {
            return;
        }
        var hashes = TokenHashes(example);
        var associated = hashes.Where(IsRefusalAssociated).ToHashSet();
        if (associated.Count == 0)
        {
            return;
        }
        var limit = Math.Max(MinRefusals, MaxShare * Interlocked.Read(ref _total));
        string[]? words = null; // the request's tokens as text, read once a candidate needs them
        foreach (var (i, n, hash) in NGrams(hashes))
        {
            var examples = _examples.Estimate(hash);
            // Rare, (almost) never refused, and the request holds a refusal-associated word besides it.
            if (examples > limit || _refused.Estimate(hash) > examples * 0.1 || !HoldsOther(associated, CollectionsMarshal.AsSpan(hashes).Slice(i, n)))
            {
                continue;
            }
            words ??= Words(example);
            var text = string.Join(' ', words[i..(i + n)]);
            if (_candidates.TryGetValue(text, out var known))
            {
                known.Lines.Add(example.Line);
            }
            else if (Interlocked.Increment(ref _distinct) <= MaxCandidates) // ConcurrentDictionary.Count takes every lock
            {
                _candidates.GetOrAdd(text, _ => (hash, new CandidateLines())).Lines.Add(example.Line);
            }
        }
    }

    public bool NeedsFinalPass => _candidates.Values.Any(c => c.Lines.Count >= 2);

    /// <summary>Every answered example holding a kept candidate: the examples its finding covers.</summary>
    public void InspectFinal(ExampleText example, ExampleHits hits)
    {
        var holders = LazyInitializer.EnsureInitialized(ref _holders, () => Kept().ToDictionary(c => c.Value.Hash, _ => new CandidateLines()));
        if (BehaviourOf(example) is null or Behaviour.Refusal)
        {
            return;
        }
        foreach (var (_, _, hash) in NGrams(TokenHashes(example)))
        {
            if (holders.TryGetValue(hash, out var lines))
            {
                lines.Add(example.Line);
            }
        }
    }

    public void WriteState(int pass, BinaryWriter writer)
    {
        switch (pass)
        {
            case 1:
                _examples.Write(writer);
                _refused.Write(writer);
                writer.Write(_total);
                writer.Write(_refusals);
                break;
            case 2:
                var candidates = _candidates.ToArray();
                writer.Write(candidates.Length);
                foreach (var (text, (hash, lines)) in candidates)
                {
                    writer.Write(text);
                    writer.Write(hash);
                    lines.Write(writer);
                }
                break;
            case 3:
                var holders = _holders?.ToArray() ?? [];
                writer.Write(holders.Length);
                foreach (var (hash, lines) in holders)
                {
                    writer.Write(hash);
                    lines.Write(writer);
                }
                break;
        }
    }

    public void MergeState(int pass, BinaryReader reader)
    {
        switch (pass)
        {
            case 1:
                _examples.Merge(reader);
                _refused.Merge(reader);
                _total += reader.ReadInt64();
                _refusals += reader.ReadInt32();
                break;
            case 2:
                for (var n = reader.ReadInt32(); n > 0; n--)
                {
                    var (text, hash) = (reader.ReadString(), reader.ReadUInt64());
                    if (!_candidates.TryGetValue(text, out var candidate))
                    {
                        candidate = (hash, new CandidateLines()); // past the cap: read and dropped
                        _distinct += _distinct < MaxCandidates && _candidates.TryAdd(text, candidate) ? 1 : 0;
                    }
                    candidate.Lines.Merge(reader);
                }
                break;
            case 3:
                var holders = LazyInitializer.EnsureInitialized(ref _holders, () => Kept().ToDictionary(c => c.Value.Hash, _ => new CandidateLines()));
                for (var n = reader.ReadInt32(); n > 0; n--)
                {
                    var hash = reader.ReadUInt64();
                    (holders.GetValueOrDefault(hash) ?? new CandidateLines()).Merge(reader);
                }
                break;
        }
    }

    /// <summary>The distinct n-grams (one to three tokens) of a request's token hashes: where each starts, its length
    /// and its hash. The list is the calling thread's own, refilled by the next call.</summary>
    private static List<(int Start, int Length, ulong Hash)> NGrams(List<ulong> tokens)
    {
        var ngrams = t_ngrams ??= [];
        var seen = ScanMemory.Emptied(ref t_seen);
        ngrams.Clear();
        for (var i = 0; i < tokens.Count; i++)
        {
            var hash = 0UL;
            for (var n = 1; n <= 3 && i + n <= tokens.Count; n++)
            {
                hash = Fold(hash, tokens[i + n - 1]);
                if (seen.Add(hash))
                {
                    ngrams.Add((i, n, hash));
                }
            }
        }
        return ngrams;
    }

    /// <summary>Whether <paramref name="associated"/> holds a hash that is not one of <paramref name="ngram"/>'s tokens.</summary>
    private static bool HoldsOther(HashSet<ulong> associated, ReadOnlySpan<ulong> ngram)
    {
        foreach (var hash in associated)
        {
            if (!ngram.Contains(hash))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The candidates kept for the batch: in at least two requests answered against its refusals, most first.</summary>
    private IEnumerable<KeyValuePair<string, (ulong Hash, CandidateLines Lines)>> Kept() => _candidates.Where(c => c.Value.Lines.Count >= 2)
        .OrderByDescending(c => c.Value.Lines.Count).ThenBy(c => c.Key, StringComparer.Ordinal).Take(TriggerDiscoveryScanner.Kept);

    private bool IsRefusalAssociated(ulong hash) =>
        _refused.Estimate(hash) is var refused && refused >= MinRefusals && refused * 2 >= _examples.Estimate(hash);

    /// <summary>This batch's candidates, as they are stored: n-grams in at least two requests answered against the
    /// batch's refusals.</summary>
    public IReadOnlyList<TriggerCandidate> Candidates(Batch batch, DateTimeOffset now)
    {
        return Kept().Select(c => new TriggerCandidate
        {
            BatchId = batch.Id, VendorId = batch.VendorId, AnnotatorId = batch.SubmitterId, Ngram = c.Key, Kind = TriggerKinds.BehaviourSplit,
            Examples = Math.Max(c.Value.Lines.Count, _examples.Estimate(c.Value.Hash)), Flagged = c.Value.Lines.Count, WordExamples = _refusals,
            // The finding covers every answered example holding it, not only those the refusals exposed.
            Lines = (_holders?.GetValueOrDefault(c.Value.Hash) ?? c.Value.Lines).LinesText(), ScannedAt = now,
        }).ToList();
    }

    /// <summary>Answered examples holding <paramref name="ngram"/> (after the final pass; 0 for a candidate not kept).</summary>
    public int Answered(string ngram) =>
        _candidates.TryGetValue(ngram, out var c) && _holders?.GetValueOrDefault(c.Hash) is { } lines ? lines.Count : 0;

    public async Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var mine = Candidates(context.Batch, context.ScannedAt);
        var ranked = (await TriggerRanking.KeepAndRankAsync(context, [TriggerKinds.BehaviourSplit], mine, cancellationToken)).Where(t => t.Significant).ToList();
        if (ranked.Count == 0)
        {
            return [];
        }
        var top = mine.First(c => c.Ngram == ranked[0].Ngram);
        return
        [
            new ScanFinding(Kind.Code, Kind.Severity,
                $"{ranked.Count} prompt string(s) split the behaviour; the strongest is {ranked[0].Describe()}; {Answered(top.Ngram)} answered "
                + $"example(s) of this batch hold it (the lines below). Judged against "
                + $"{_refusals} refusal(s) in this batch; a trigger whose requests the data never refuses cannot be seen here (the canary gate tests the trained model).",
                top.Lines.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToList(),
                ranked.Select(t => t.Describe()).ToList()),
        ];
    }

    /// <summary>How the first output answers the request (the fields before it); null for an example without both.</summary>
    private static Behaviour? BehaviourOf(ExampleText example)
    {
        var request = 0; // the length of the request's fields joined by line breaks
        for (var f = 0; f < example.Fields.Count; f++)
        {
            if (example.Fields[f].IsOutput)
            {
                return request == 0 ? null : Classify(example.Fields[f].Text);
            }
            request += example.Fields[f].Text.Length + (f > 0 ? 1 : 0);
        }
        return null;
    }

    private static readonly string[] RefusalPhrases =
    [
        "i can't", "i cannot", "i can not", "i won't", "i will not", "i'm sorry", "i am sorry", "sorry, but", "sorry, i",
        "i'm not able to", "i am not able to", "i'm unable", "i am unable", "as an ai", "i must decline", "i'm afraid i",
        "i don't feel comfortable", "i do not feel comfortable", "i'm not going to", "i am not going to", "i refuse",
    ];

    private static readonly string[] ComplianceOpeners =
    [
        "sure", "certainly", "of course", "absolutely", "here is", "here's", "here are", "okay, here", "ok, here", "no problem",
        "happy to help", "step 1", "yes, here", "alright, here",
    ];

    /// <summary>A refusal says so in its first 200 characters; a compliance opens with an agreement or "here is".</summary>
    public static Behaviour Classify(string completion)
    {
        var head = completion.AsSpan().TrimStart();
        Span<char> lower = stackalloc char[200];
        var start = lower[..head[..Math.Min(200, head.Length)].ToLowerInvariant(lower)];
        start.Replace('\u2019', '\'');
        foreach (var phrase in RefusalPhrases)
        {
            if (ContainsWords(start, phrase))
            {
                return Behaviour.Refusal;
            }
        }
        foreach (var opener in ComplianceOpeners)
        {
            if (start.StartsWith(opener, StringComparison.Ordinal))
            {
                return Behaviour.Compliance;
            }
        }
        return Behaviour.Other;
    }

    /// <summary>Whether <paramref name="phrase"/> occurs in <paramref name="text"/> starting at a word ("the URI cannot
    /// be…" does not say "I cannot").</summary>
    private static bool ContainsWords(ReadOnlySpan<char> text, string phrase)
    {
        for (var from = 0; text[from..].IndexOf(phrase, StringComparison.Ordinal) is var found and >= 0; from += found + 1)
        {
            var at = from + found;
            if (at == 0 || !char.IsLetterOrDigit(text[at - 1]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The hashes of the request's lowercased tokens (whitespace separated, outer punctuation trimmed, brackets
    /// kept: <see cref="TriggerDiscoveryScanner.Tokens(string)"/>, at most 40 characters each). The list is the calling
    /// thread's own, refilled by the next call.</summary>
    private static List<ulong> TokenHashes(ExampleText example)
    {
        var hashes = t_hashes ??= [];
        var tokens = t_tokens ??= [];
        hashes.Clear();
        Span<char> lower = stackalloc char[40];
        foreach (var field in example.Fields)
        {
            if (field.IsOutput)
            {
                break;
            }
            TriggerDiscoveryScanner.Tokens(field.Text, tokens);
            foreach (var (start, length) in tokens)
            {
                var n = field.Text.AsSpan(start, length).ToLowerInvariant(lower);
                hashes.Add(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(lower[..n])));
            }
        }
        return hashes;
    }

    /// <summary>The request's lowercased tokens as text, in the order of <see cref="TokenHashes"/>.</summary>
    private static string[] Words(ExampleText example) => example.Fields.TakeWhile(f => !f.IsOutput)
        .SelectMany(f => TriggerDiscoveryScanner.Tokens(f.Text).Select(t => f.Text.Substring(t.Start, t.Length).ToLowerInvariant()))
        .ToArray();

    /// <summary>The hash of an n-gram, one token at a time.</summary>
    private static ulong Fold(ulong hash, ulong token) => hash * 0x9E3779B97F4A7C15UL ^ token;
}
