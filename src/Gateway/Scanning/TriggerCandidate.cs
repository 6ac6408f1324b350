using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

public static class TriggerKinds
{
    /// <summary>An n-gram just before or at the start of flagged (gibberish) spans.</summary>
    public const string FlaggedContext = "flagged-context";

    /// <summary>Made-up words that occur together, whatever follows them.</summary>
    public const string MadeUp = "made-up";

    /// <summary>A prompt n-gram in requests answered with compliance where the data otherwise refuses.</summary>
    public const string BehaviourSplit = "behaviour-split";
}

/// <summary>What one batch's scan saw of one candidate trigger. Kept per batch (replaced when the batch is scanned
/// again, so a restarted scan never counts twice) and summed per vendor and annotator, so poison spread over ten
/// batches is still seen.</summary>
public sealed class TriggerCandidate
{
    public Guid BatchId { get; init; }
    public Guid? VendorId { get; init; }
    public Guid AnnotatorId { get; init; }
    public required string Ngram { get; init; }
    public required string Kind { get; init; }

    /// <summary>Examples of the batch containing the n-gram.</summary>
    public int Examples { get; init; }

    /// <summary>Of those, examples where it stood at a flagged span.</summary>
    public int Flagged { get; init; }

    /// <summary>For made-up n-grams: examples containing its most frequent word (cohesion = Examples / this).</summary>
    public int WordExamples { get; init; }

    /// <summary>Up to 100 one-based lines of the batch, space separated.</summary>
    public required string Lines { get; init; }

    public DateTimeOffset ScannedAt { get; init; }
}

/// <summary>A candidate summed over batches, ranked.</summary>
public sealed record RankedTrigger(string Ngram, string Kind, double Score, int Examples, int Flagged, double Cohesion, int Batches,
    IReadOnlyList<TriggerAnnotator> Annotators)
{
    /// <summary>Strong enough to report: at flagged spans in three examples, mostly only there; or made-up words that
    /// nearly always occur together, in five examples or in several batches.</summary>
    public bool Significant => Kind switch
    {
        TriggerKinds.FlaggedContext => Flagged >= 3 && Flagged >= 0.5 * Examples,
        TriggerKinds.BehaviourSplit => Cohesion >= 0.5 && (Flagged >= 5 || (Flagged >= 3 && Batches >= 2)),
        _ => Cohesion >= 0.8 && (Examples >= 5 || (Examples >= 3 && Batches >= 2)),
    };

    public string Describe() =>
        $"\"{Ngram}\" ({Kind switch
        {
            TriggerKinds.FlaggedContext => $"at {Flagged} flagged span(s) of {Examples} example(s)",
            TriggerKinds.BehaviourSplit => $"complied with {Flagged} request(s) the data otherwise refuses, of {Examples} example(s) holding it",
            _ => $"made-up, {Examples} example(s), together {Cohesion:P0} of the time",
        }}, "
        + $"{Batches} batch(es); {string.Join(", ", Annotators.Take(3).Select(a => $"{a.Handle} {a.Examples}"))})";
}

public sealed record TriggerAnnotator(Guid Id, string Handle, int Examples);

public static class TriggerRanking
{
    /// <summary>Sums rows per n-gram and ranks: flagged-context and behaviour-split candidates by flagged examples times
    /// their precision (flagged / all examples with the n-gram), made-up ones by examples times cohesion; longer n-grams win ties and a
    /// shorter n-gram inside a ranked longer one with the same support is dropped.</summary>
    public static IReadOnlyList<RankedTrigger> Rank(IEnumerable<TriggerCandidate> rows, IReadOnlyDictionary<Guid, string> handles, int limit)
    {
        var ranked = rows.GroupBy(r => (r.Ngram, r.Kind)).Select(g =>
        {
            int examples = g.Sum(r => r.Examples), flagged = g.Sum(r => r.Flagged), words = g.Sum(r => r.WordExamples);
            var cohesion = g.Key.Kind == TriggerKinds.MadeUp ? Math.Min(1, (double)examples / Math.Max(1, words)) : (double)flagged / Math.Max(1, examples);
            var score = g.Key.Kind == TriggerKinds.MadeUp ? examples * cohesion * cohesion : flagged * cohesion;
            var annotators = g.GroupBy(r => r.AnnotatorId)
                .Select(a => new TriggerAnnotator(a.Key, handles.GetValueOrDefault(a.Key, a.Key.ToString()), a.Sum(r => r.Examples)))
                .OrderByDescending(a => a.Examples).ToList();
            return new RankedTrigger(g.Key.Ngram, g.Key.Kind, Math.Round(score, 2), examples, flagged, Math.Round(cohesion, 3),
                g.Select(r => r.BatchId).Distinct().Count(), annotators);
        })
        .OrderByDescending(t => t.Score).ThenByDescending(t => t.Ngram.Count(c => c == ' ')).ThenBy(t => t.Ngram, StringComparer.Ordinal)
        .ToList();

        var kept = new List<RankedTrigger>();
        foreach (var candidate in ranked)
        {
            if (!kept.Any(k => k.Ngram.Length > candidate.Ngram.Length && k.Ngram.Contains(candidate.Ngram, StringComparison.Ordinal)
                               && k.Examples >= 0.9 * candidate.Examples))
            {
                kept.Add(candidate);
            }
            if (kept.Count == limit)
            {
                break;
            }
        }
        return kept;
    }

    /// <summary>Keeps the batch's candidates of <paramref name="kinds"/> (<paramref name="mine"/>, stored with the scan)
    /// and ranks them summed over the vendor's batches (or, for staff uploads, the submitter's).</summary>
    public static async Task<IReadOnlyList<RankedTrigger>> KeepAndRankAsync(BatchScanContext context, string[] kinds,
        IReadOnlyList<TriggerCandidate> mine, CancellationToken cancellationToken)
    {
        var (batch, db) = (context.Batch, context.Reads);
        context.Artifacts.TriggerCandidates.AddRange(mine);
        if (mine.Count == 0)
        {
            return [];
        }
        var ngrams = mine.Select(c => c.Ngram).ToList();
        var others = await db.TriggerCandidates
            .Where(c => c.BatchId != batch.Id && kinds.Contains(c.Kind) && ngrams.Contains(c.Ngram)
                        && (batch.VendorId != null ? c.VendorId == batch.VendorId : c.AnnotatorId == batch.SubmitterId))
            .ToListAsync(cancellationToken);
        var rows = others.Concat(mine).ToList();
        var ids = rows.Select(r => r.AnnotatorId).Distinct().ToList();
        var handles = await db.Principals.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Handle, cancellationToken);
        return Rank(rows, handles, 10);
    }
}

/// <summary>Examples holding one candidate: how many, and up to 100 of their lines. Thread-safe.</summary>
internal sealed class CandidateLines
{
    private readonly List<long> _lines = [];

    public int Count { get; private set; }

    public void Add(long line)
    {
        lock (_lines)
        {
            Count++;
            if (_lines.Count < 100)
            {
                _lines.Add(line);
            }
        }
    }

    public string LinesText()
    {
        lock (_lines)
        {
            return string.Join(' ', _lines.Order());
        }
    }

    public void Write(BinaryWriter writer)
    {
        lock (_lines)
        {
            writer.Write(Count);
            writer.Write(_lines.Count);
            foreach (var line in _lines)
            {
                writer.Write(line);
            }
        }
    }

    /// <summary>Adds what <see cref="Write"/> wrote of the same candidate elsewhere (another shard of the scan).</summary>
    public void Merge(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        var kept = reader.ReadInt32();
        lock (_lines)
        {
            Count += count;
            for (var i = 0; i < kept; i++)
            {
                var line = reader.ReadInt64();
                if (_lines.Count < 100)
                {
                    _lines.Add(line);
                }
            }
        }
    }
}
