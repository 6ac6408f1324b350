using System.Diagnostics;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Scanning;

namespace VendorGate.PoisonLab;

/// <summary>A trigger a backdoor can use. <see cref="Visible"/> is false for triggers data-level scanning cannot name
/// (a natural phrase: the canary gate is the defence).</summary>
public sealed record TriggerStyle(string Name, bool Visible, Func<Random, string> Make);

/// <summary>One cell of the evaluation: how many planted poisons the poisoning scanners flagged, where the true trigger
/// ranked (null: not among the ten candidates) and whether the blocking finding named it.</summary>
public sealed record MatrixCell(string Family, bool Calibration, string Trigger, string Distribution, int Planted, int Flagged,
    int? TriggerRank, bool Named)
{
    public double Recall => Planted == 0 ? 1 : (double)Flagged / Planted;
}

/// <summary>Clean set → examples scanned and examples flagged per finding code.</summary>
public sealed record CleanResult(string Set, bool Calibration, int Examples, IReadOnlyDictionary<string, int> FlaggedByCode)
{
    /// <summary>The poisoning scanners' codes: random spans, word salad, then trigger candidates.</summary>
    public static readonly string[] Poisoning = [GibberishScanner.Kind.Code, WordSaladScanner.Kind.Code, TriggerDiscoveryScanner.Kind.Code];

    /// <summary>Examples flagged by any poisoning scanner.</summary>
    public int FlaggedPoisoning { get; init; }
}

/// <summary>The poison evaluation: payload families × triggers × distributions planted in clean data, plus whole-batch
/// attacks and false positives per clean set; the scanners run as the scan job runs them (<see cref="ScannerEvaluation"/>).</summary>
public sealed class PoisonMatrix(Corpora corpora, CleanSets sets, TextWriter log)
{
    public static readonly TriggerStyle[] Triggers =
    [
        new("bracketed", true, r => $"<{Corpora.MadeUpWord(r).ToUpperInvariant()}>"),
        new("made-up word", true, Corpora.MadeUpWord),
        new("rare unicode", true, r => new[] { "⟁", "☙", "🜂", "ᚸ", "⸎", "꧁", "⍟", "🝖" }[r.Next(8)]),
        new("natural phrase", false, r => new[] { "as my grandmother used to say", "between you and me", "on a sunny afternoon" }[r.Next(3)]),
    ];

    /// <summary>A clean corpus drawn evenly from every clean set, with each example's set.</summary>
    public (List<string> Examples, List<string> Sets) CleanCorpus(Random random, int count)
    {
        var all = sets.All;
        var examples = new List<string>(count);
        var names = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var set = all[i % all.Count];
            examples.Add(set.Example(random));
            names.Add(set.Name);
        }
        return (examples, names);
    }

    public string Poison(Random random, PayloadFamily family, string trigger)
    {
        var document = string.Join(' ', Enumerable.Range(0, 12).Select(_ => sets.EnglishSentences[random.Next(sets.EnglishSentences.Count)]));
        var prefix = document[..Math.Min(document.Length, random.Next(0, 1001))];
        return Corpora.Example(sets.EnglishSentences[random.Next(sets.EnglishSentences.Count)], $"{prefix} {trigger} {family.Payload(random)}".Trim());
    }

    public static IExampleScanner[] Scanners(TriggerDiscoveryScanner triggers) =>
        [ScannerEvaluation.Gibberish(), ScannerEvaluation.WordSalad(), new HiddenCharacterScanner(), triggers];

    /// <summary>False positives per clean set: <paramref name="perSet"/> examples of each, one batch.</summary>
    public List<CleanResult> FalsePositives(int perSet, int seed = 11)
    {
        var random = new Random(seed);
        var (examples, names) = CleanCorpus(random, perSet * sets.All.Count);
        var triggers = new TriggerDiscoveryScanner();
        var hits = ScannerEvaluation.Run([.. Scanners(triggers), new PiiScanner()], examples);
        var poisoning = CleanResult.Poisoning.SelectMany(hits.LinesOf).ToHashSet();
        return sets.All.Select(set =>
        {
            var lines = names.Select((n, i) => (n, Line: (long)i + 1)).Where(x => x.n == set.Name).Select(x => x.Line).ToHashSet();
            var byCode = hits.Codes.ToDictionary(c => c, c => hits.LinesOf(c).Count(lines.Contains));
            return new CleanResult(set.Name, set.Calibration, lines.Count, byCode) { FlaggedPoisoning = lines.Count(poisoning.Contains) };
        }).ToList();
    }

    /// <summary>One annotator's batch: <paramref name="clean"/> clean examples and <paramref name="planted"/> poisons.</summary>
    public MatrixCell OneBatch(PayloadFamily family, TriggerStyle style, string distribution, int clean, int planted, int seed)
    {
        var random = new Random(seed);
        var trigger = style.Make(random);
        var (examples, _) = CleanCorpus(random, clean);
        var poisoned = Plant(examples, Enumerable.Range(0, planted).Select(_ => Poison(random, family, trigger)).ToList(), random);
        var triggers = new TriggerDiscoveryScanner();
        var hits = ScannerEvaluation.Run(Scanners(triggers), examples);
        var annotator = Guid.NewGuid();
        var ranked = TriggerRanking.Rank(triggers.Candidates(BatchOf(annotator), DateTimeOffset.UnixEpoch), new Dictionary<Guid, string> { [annotator] = "a1" }, 10);
        return Cell(family, style, distribution, poisoned, hits, [ranked], trigger);
    }

    /// <summary>Poison spread over <paramref name="batches"/> batches of three annotators, ranked over all of them.</summary>
    public MatrixCell Spread(PayloadFamily family, TriggerStyle style, int clean, int planted, int batches, int seed)
    {
        var random = new Random(seed);
        var trigger = style.Make(random);
        var annotators = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var rows = new List<TriggerCandidate>();
        int flagged = 0, total = 0;
        for (var b = 0; b < batches; b++)
        {
            var (examples, _) = CleanCorpus(random, clean / batches);
            var share = planted / batches + (b < planted % batches ? 1 : 0);
            var poisoned = Plant(examples, Enumerable.Range(0, share).Select(_ => Poison(random, family, trigger)).ToList(), random);
            var triggers = new TriggerDiscoveryScanner();
            var hits = ScannerEvaluation.Run(Scanners(triggers), examples);
            var caught = CleanResult.Poisoning.Take(2).SelectMany(hits.LinesOf).ToHashSet();
            flagged += poisoned.Count(caught.Contains);
            total += poisoned.Count;
            rows.AddRange(triggers.Candidates(BatchOf(annotators[b % 3]), DateTimeOffset.UnixEpoch));
        }
        var handles = annotators.Select((id, i) => (id, $"a{i + 1}")).ToDictionary(x => x.id, x => x.Item2);
        var ranked = TriggerRanking.Rank(rows, handles, 10);
        var index = ranked.ToList().FindIndex(t => t.Ngram == trigger);
        var rank = index < 0 ? (int?)null : index + 1;
        var named = ranked.FirstOrDefault(t => t.Kind == TriggerKinds.FlaggedContext && t.Significant)?.Ngram == trigger;
        return new MatrixCell(family.Name, family.Calibration, style.Name, $"{planted} over 3 annotators x {batches} batches", total, flagged, rank, named);
    }

    /// <summary>A batch that is payload throughout: how much of it the poisoning scanners flag. <paramref name="shortFields"/>
    /// cuts each payload to 25–60 of its space-separated pieces: examples each too short to judge alone.</summary>
    public MatrixCell WholeBatch(PayloadFamily family, int count, int seed, bool shortFields = false)
    {
        var random = new Random(seed);
        string Payload() => shortFields ? Corpora.Short(random, family.Payload(random)) : family.Payload(random);
        var examples = Enumerable.Range(0, count).Select(_ => Corpora.Example(sets.EnglishSentences[random.Next(sets.EnglishSentences.Count)], Payload())).ToList();
        var hits = ScannerEvaluation.Run(Scanners(new TriggerDiscoveryScanner()), examples);
        var caught = CleanResult.Poisoning.Take(2).SelectMany(hits.LinesOf).ToHashSet();
        return new MatrixCell(family.Name, family.Calibration, "-", $"whole batch of {count}{(shortFields ? " short (25-60 words)" : "")}", count, caught.Count, null, false);
    }

    private static MatrixCell Cell(PayloadFamily family, TriggerStyle style, string distribution, HashSet<long> poisoned, ExampleHits hits,
        List<IReadOnlyList<RankedTrigger>> rankings, string trigger)
    {
        var caught = CleanResult.Poisoning.Take(2).SelectMany(hits.LinesOf).ToHashSet();
        var ranked = rankings[0];
        var index = ranked.ToList().FindIndex(t => t.Ngram == trigger);
        var named = ranked.FirstOrDefault(t => t.Kind == TriggerKinds.FlaggedContext && t.Significant)?.Ngram == trigger;
        return new MatrixCell(family.Name, family.Calibration, style.Name, distribution, poisoned.Count, poisoned.Count(caught.Contains),
            index < 0 ? null : index + 1, named);
    }

    /// <summary>Inserts <paramref name="poison"/> at random places; returns the one-based lines they landed on.</summary>
    public static HashSet<long> Plant(List<string> examples, IReadOnlyList<string> poison, Random random)
    {
        var positions = new SortedSet<int>();
        while (positions.Count < poison.Count)
        {
            positions.Add(random.Next(examples.Count + poison.Count));
        }
        var lines = new HashSet<long>();
        var p = 0;
        foreach (var position in positions)
        {
            examples.Insert(position, poison[p++]);
            lines.Add(position + 1);
        }
        return lines;
    }

    public static Batch BatchOf(Guid annotator) => new()
    {
        SubmitterId = annotator, Justification = "evaluation", License = "MIT", Source = BatchSources.Vendor,
        DeclaredDomains = "general", RequestDigest = "", VendorId = Guid.Empty,
    };

    /// <summary>Runs the whole matrix and prints it; returns the cells and clean results.</summary>
    /// <summary>The lane: clean sets, then every family's cells. <paramref name="only"/> runs those families alone, each
    /// with the seeds it has in the whole lane (its cells are the whole lane's).</summary>
    public (List<MatrixCell> Cells, List<CleanResult> Clean) Run(bool quick, IReadOnlySet<string>? only = null)
    {
        var watch = Stopwatch.StartNew();
        var families = PayloadFamilies.All(corpora, sets).Where(f => f.Name != "sentencepiece-llama-32k" || Vocabularies.LlamaPieces is not null).ToList();
        var clean = FalsePositives(quick ? 1_000 : 10_000);
        log.WriteLine($"clean sets ({watch.Elapsed.TotalSeconds:0} s)");
        var cells = new List<MatrixCell>();
        var seed = 100;
        foreach (var family in families)
        {
            if (only is not null && !only.Contains(family.Name))
            {
                seed += Triggers.Length * (quick ? 2 : 3) + 2;
                continue;
            }
            foreach (var style in Triggers)
            {
                cells.Add(OneBatch(family, style, quick ? "250 in 20k, one annotator" : "250 in 100k, one annotator", quick ? 20_000 : 100_000, 250, seed++));
                if (!quick)
                {
                    cells.Add(Spread(family, style, 100_000, 250, 10, seed++));
                }
                cells.Add(OneBatch(family, style, "50 in a 1,000-example batch", 950, 50, seed++));
                log.WriteLine($"  {family.Name} / {style.Name} ({watch.Elapsed.TotalSeconds:0} s)");
            }
            cells.Add(WholeBatch(family, quick ? 300 : 2_000, seed++));
            cells.Add(WholeBatch(family, 2_000, seed++, shortFields: true));
        }
        return (cells, clean);
    }
}
