using VendorGate.Gateway.Scanning;

namespace VendorGate.PoisonLab;

/// <summary>How the word-salad thresholds were chosen: for salad families planted in clean data and as whole batches,
/// and for each clean set, how many examples' least coherent run falls below each candidate threshold; then batch means
/// of each clean set alone and whole batches of short examples. Run: bash scripts/bench.sh salad (SHORT=1 for the whole batches of short examples only).</summary>
public static class SaladExplore
{
    public static void Run(int clean = 20_000, int planted = 250, int whole = 2_000)
    {
        var corpora = Corpora.Shared;
        var sets = new CleanSets(corpora);
        var matrix = new PoisonMatrix(corpora, sets, TextWriter.Null);
        double[] ts = [-0.5, -0.25, 0, 0.25, 0.5, 0.75, 1.0];
        if (Environment.GetEnvironmentVariable("TIMEFILE") is { } file)
        {
            var lines = File.ReadLines(file).Take(200_000).ToList();
            for (var i = 0; i < 3; i++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                ScannerEvaluation.Run(i == 0 ? [new Gateway.Scanning.HiddenCharacterScanner()] : [ScannerEvaluation.WordSalad()], lines);
                Console.WriteLine($"{(i == 0 ? "parse + hidden characters (one pass)" : "word salad (two passes)")} over {lines.Count:N0} lines of {file}: {watch.Elapsed.TotalSeconds:0.00} s, CPU {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.00} s");
            }
            return;
        }
        if (Environment.GetEnvironmentVariable("CLEANFP") is { } perSet)
        {
            // Clean examples the poisoning scanners flag, as the lane's false-positive table counts them, with their text.
            var random = new Random(int.Parse(Environment.GetEnvironmentVariable("SEED") ?? "11")); // 11: the lane's clean draw
            var (examples, names) = matrix.CleanCorpus(random, int.Parse(perSet) * sets.All.Count);
            var salad = ScannerEvaluation.WordSalad();
            var hits = ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), salad, new Gateway.Scanning.HiddenCharacterScanner(), new Gateway.Scanning.TriggerDiscoveryScanner()], examples);
            foreach (var code in CleanResult.Poisoning)
            {
                foreach (var line in hits.LinesOf(code).Order())
                {
                    Console.WriteLine($"--- {code} {names[(int)line - 1]} line {line}:\n{examples[(int)line - 1][..Math.Min(1200, examples[(int)line - 1].Length)]}");
                    foreach (var field in ScannerEvaluation.Text(examples[(int)line - 1], line).Fields)
                    {
                        Console.WriteLine($"  {field.Role}: " + string.Join(" ", salad.Explain(field.Text).Select(w => double.IsNaN(w.Coherence) ? w.Word : $"{w.Word}[{w.Coherence:0.0}]")));
                    }
                }
            }
            return;
        }
        if (Environment.GetEnvironmentVariable("FRESH") is not null)
        {
            // How FreshRepeats and FreshKnown were chosen: per clean set (CLEAN per set, drawn with SEED) the runs of
            // FreshWords words that repeat least, and the same for poisons planted as one batch of a spread cell holds them
            // (25 in 10,000). Each as repeats(share of words known to the batch, share of gaps with a punctuation mark).
            var cleanPerSet = int.Parse(Environment.GetEnvironmentVariable("CLEAN") ?? "2000");
            var seed = int.Parse(Environment.GetEnvironmentVariable("SEED") ?? "1");
            var all = new WordSaladOptions { FreshRepeats = int.MaxValue, FreshKnown = 1 };
            WordSaladScanner.FreshRun? Freshest(WordSaladScanner salad, string json, long line) => ScannerEvaluation.Text(json, line).Fields
                .Select(f => salad.FreshestRun(f.Text)).Where(w => w is not null).MinBy(w => w!.Value.Repeats);
            double LeastCoherence(WordSaladScanner salad, string json, long line) => ScannerEvaluation.Text(json, line).Fields
                .Select(f => salad.LeastCoherentRun(f.Text)?.Coherence ?? double.PositiveInfinity).DefaultIfEmpty(double.PositiveInfinity).Min();
            string Show(WordSaladScanner.FreshRun? run) => run is { } r ? $"{r.Repeats}({r.Known:0.00})" : "-";
            {
                var (examples, names) = matrix.CleanCorpus(new Random(seed), cleanPerSet * sets.All.Count);
                var salad = new WordSaladScanner(Microsoft.Extensions.Options.Options.Create(all));
                ScannerEvaluation.Run([salad], examples);
                foreach (var set in examples.Select((json, i) => (Set: names[i], Fresh: Freshest(salad, json, i + 1), Coherence: LeastCoherence(salad, json, i + 1))).GroupBy(m => m.Set))
                {
                    var lowest = set.Where(m => m.Fresh is not null).OrderBy(m => m.Fresh!.Value.Repeats).ToList();
                    Console.WriteLine($"clean {set.Key,-28} runs {lowest.Count,5}, fewest repeats: " + string.Join(" ", lowest.Take(8).Select(m => Show(m.Fresh))));
                    // Both measures of one example: the least coherent run below 0.6 bits, with the fewest repeats.
                    Console.WriteLine("    coherence < 0.6 (bits/repeats): " + string.Join(" ", set.Where(m => m.Coherence < 0.6).OrderBy(m => m.Coherence)
                        .Select(m => $"{m.Coherence:0.00}/{m.Fresh?.Repeats.ToString() ?? "-"}")));
                }
            }
            foreach (var family in PayloadFamilies.All(corpora, sets).Where(f => f.Name.StartsWith("salad", StringComparison.Ordinal)))
            {
                var random = new Random(seed + 900);
                var (examples, _) = matrix.CleanCorpus(random, int.Parse(Environment.GetEnvironmentVariable("BATCH") ?? "10000"));
                var lines = PoisonMatrix.Plant(examples, Enumerable.Range(0, 25).Select(_ => matrix.Poison(random, family, "<XQZT>")).ToList(), random);
                var salad = new WordSaladScanner(Microsoft.Extensions.Options.Options.Create(all));
                ScannerEvaluation.Run([salad], examples);
                Console.WriteLine($"{family.Name}, 25 in 10,000: " + string.Join(" ", lines.Select(l => Freshest(salad, examples[(int)l - 1], l)).OrderBy(f => f?.Repeats ?? int.MaxValue).Select(Show)));
                Console.WriteLine("    (bits/repeats): " + string.Join(" ", lines.Select(l => (Coherence: LeastCoherence(salad, examples[(int)l - 1], l), Fresh: Freshest(salad, examples[(int)l - 1], l)))
                    .OrderByDescending(m => m.Coherence).Select(m => $"{m.Coherence:0.00}/{m.Fresh?.Repeats.ToString() ?? "-"}")));
            }
            return;
        }
        if (Environment.GetEnvironmentVariable("SPREAD") is { } spreadFamily)
        {
            // One family's poison spread over ten batches of three annotators, for each trigger: the lane's spread cells.
            var family = PayloadFamilies.All(corpora, sets).First(f => f.Name == spreadFamily);
            var seed = 900;
            foreach (var style in PoisonMatrix.Triggers.Where(t => Environment.GetEnvironmentVariable("STYLE") is not { } only || t.Name == only))
            {
                var cell = matrix.Spread(family, style, int.Parse(Environment.GetEnvironmentVariable("CLEAN") ?? "100000"), 250, 10, seed++);
                Console.WriteLine($"{family.Name} / {style.Name} / {cell.Distribution}: {cell.Flagged}/{cell.Planted}, rank {cell.TriggerRank?.ToString() ?? "-"}, named {cell.Named}");
            }
            return;
        }
        if (Environment.GetEnvironmentVariable("MISSED") is { } missedFamily)
        {
            var family = PayloadFamilies.All(corpora, sets).First(f => f.Name == missedFamily);
            // MISSED_CLEAN / MISSED_PLANTED: the batch (20,000 and 250 by default; 10,000 and 25 is one batch of a spread cell).
            var random = new Random(int.Parse(Environment.GetEnvironmentVariable("SEED") ?? "3"));
            var (examples, _) = matrix.CleanCorpus(random, int.Parse(Environment.GetEnvironmentVariable("MISSED_CLEAN") ?? "20000"));
            var count = int.Parse(Environment.GetEnvironmentVariable("MISSED_PLANTED") ?? "250");
            var lines = PoisonMatrix.Plant(examples, Enumerable.Range(0, count).Select(_ => matrix.Poison(random, family, "<XQZT>")).ToList(), random);
            var gibberish = ScannerEvaluation.Gibberish();
            var salad = ScannerEvaluation.WordSalad();
            var hits = ScannerEvaluation.Run([gibberish, salad], examples);
            var caught = CleanResult.Poisoning.Take(2).SelectMany(hits.LinesOf).ToHashSet();
            Console.WriteLine($"{family.Name}: {lines.Count(caught.Contains)}/{lines.Count} flagged");
            foreach (var line in lines.Where(l => !caught.Contains(l)))
            {
                var text = ScannerEvaluation.Text(examples[(int)line - 1], line).Fields[^1].Text;
                var at = text.IndexOf("<XQZT>", StringComparison.Ordinal);
                var windows = Gateway.Scanning.Language.SpanSurprisal.Measure(text, Gateway.Scanning.Language.CharacterModel.Shared);
                Console.WriteLine($"--- line {line}, payload at {at} of {text.Length}: window bits after it: {string.Join(" ", windows.Where(w => w.Start >= at).Select(w => w.Bits.ToString("0.0")))}");
                Console.WriteLine($"  least coherent run {salad.LeastCoherentRun(text)}; words: " + string.Join(" ", salad.Explain(text[at..]).Select(w => double.IsNaN(w.Coherence) ? w.Word : $"{w.Word}[{w.Coherence:0.0}]")));
            }
            return;
        }
        if (Environment.GetEnvironmentVariable("TRIGGERS") is not null)
        {
            var seed = 700;
            foreach (var family in PayloadFamilies.All(corpora, sets).Where(f => f.Name.StartsWith("salad", StringComparison.Ordinal)))
            {
                foreach (var style in PoisonMatrix.Triggers.Where(t => t.Visible))
                {
                    foreach (var cell in new[] { matrix.OneBatch(family, style, "250 in 20k", 20_000, 250, seed++), matrix.OneBatch(family, style, "50 in 1,000", 950, 50, seed++) })
                    {
                        Console.WriteLine($"{family.Name} / {style.Name} / {cell.Distribution}: {cell.Flagged}/{cell.Planted}, rank {cell.TriggerRank?.ToString() ?? "-"}, named {cell.Named}");
                    }
                }
            }
            return;
        }
        if (Environment.GetEnvironmentVariable("SHORT") is not null)
        {
            var seed = 500;
            foreach (var family in PayloadFamilies.All(corpora, sets).Where(f => f.Name != "sentencepiece-llama-32k" || Vocabularies.LlamaPieces is not null))
            {
                var cell = matrix.WholeBatch(family, 2_000, seed++, shortFields: true);
                Console.WriteLine($"{family.Name}: {cell.Distribution}: {cell.Flagged}/{cell.Planted}");
                if (Environment.GetEnvironmentVariable("SHORT") == "explain")
                {
                    var r = new Random(seed);
                    var batch = Enumerable.Range(0, 2_000).Select(_ => Corpora.Example(sets.EnglishSentences[r.Next(sets.EnglishSentences.Count)], Corpora.Short(r, family.Payload(r)))).ToList();
                    var salad = ScannerEvaluation.WordSalad();
                    var hits = ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), salad], batch);
                    Console.WriteLine($"  gibberish {hits.CountOf(Gateway.Scanning.GibberishScanner.Kind.Code)}, salad {hits.CountOf(Gateway.Scanning.WordSaladScanner.Kind.Code)}, completions' mean {salad.BatchCoherence(1):0.00} bits over {salad.BatchPairs(1)} pairs");
                    var caught = hits.LinesOf(Gateway.Scanning.GibberishScanner.Kind.Code).Union(hits.LinesOf(Gateway.Scanning.WordSaladScanner.Kind.Code)).ToHashSet();
                    foreach (var i in Enumerable.Range(0, batch.Count).Where(i => !caught.Contains(i + 1)).Take(3))
                    {
                        var field = ScannerEvaluation.Text(batch[i], i + 1).Fields[^1];
                        Console.WriteLine($"  missed: " + string.Join(" ", salad.Explain(field.Text).Select(w => double.IsNaN(w.Coherence) ? w.Word : $"{w.Word}[{w.Coherence:0.0}]")));
                        Console.WriteLine($"    {field.Text[..Math.Min(400, field.Text.Length)]}");
                    }
                }
            }
            ShortCleanBatches(sets);
            return;
        }
        var families = PayloadFamilies.All(corpora, sets).Where(f => f.Name.StartsWith("salad", StringComparison.Ordinal) || f.Name == "code-tokens")
            .Where(f => Environment.GetEnvironmentVariable("FAMILY") is not { } only || f.Name == only).ToList();
        Console.WriteLine($"examples whose least coherent run is below: {string.Join(" ", ts)}");
        foreach (var family in families.Take(int.Parse(Environment.GetEnvironmentVariable("FAMILIES") ?? "9")))
        {
            var random = new Random(3);
            var (examples, names) = matrix.CleanCorpus(random, clean);
            var poisons = Enumerable.Range(0, planted).Select(_ => matrix.Poison(random, family, "<XQZT>")).ToList();
            var lines = PoisonMatrix.Plant(examples, poisons, random);
            var levels = Levels(examples);
            Console.WriteLine($"{family.Name} mixed: poison flagged " + string.Join(" ", ts.Select(t => lines.Count(l => Hit(levels[(int)l - 1], t)))));
                        if (family == families[0])
            {
                var setOf = new List<string>();
                var n = 0;
                for (var i = 0; i < examples.Count; i++)
                {
                    setOf.Add(lines.Contains(i + 1) ? "poison" : names[n++]);
                }
                foreach (var set in sets.All)
                {
                    var values = levels.Where((_, i) => setOf[i] == set.Name).ToList();
                    Console.WriteLine($"  clean {set.Name,-28} ({values.Count}) " + string.Join(" ", ts.Select(t => values.Count(v => Hit(v, t)))));
                    if (Environment.GetEnvironmentVariable("DUMP") is { } dump && set.Name.StartsWith(dump, StringComparison.Ordinal))
                    {
                        foreach (var i in Enumerable.Range(0, examples.Count).Where(i => setOf[i] == set.Name && Hit(levels[i], double.Parse(Environment.GetEnvironmentVariable("DUMP_T") ?? "0"))).Take(6))
                        {
                            Console.WriteLine($"---- {levels[i]}\n{examples[i][..Math.Min(1500, examples[i].Length)]}");
                        }
                    }
                }
            }
            var wholeBatch = Enumerable.Range(0, whole).Select(_ => Corpora.Example(sets.EnglishSentences[random.Next(sets.EnglishSentences.Count)], family.Payload(random))).ToList();
            var wholeLevels = Levels(wholeBatch);
            Console.WriteLine($"{family.Name} whole batch of {whole}: " + string.Join(" ", ts.Select(t => wholeLevels.Count(v => Hit(v, t)))));
        }
        foreach (var set in sets.All)
        {
            var r = new Random(4);
            var batch = Enumerable.Range(0, 2_000).Select(_ => set.Example(r)).ToList();
            var scanner = ScannerEvaluation.WordSalad();
            var hits = ScannerEvaluation.Run([scanner], batch);
            Console.WriteLine($"batch of 2,000 {set.Name,-28}: mean {scanner.BatchCoherence(1):0.00} bits, {hits.CountOf(Gateway.Scanning.WordSaladScanner.Kind.Code)} flagged");
        }
        {
            var r = new Random(4);
            var words = Corpora.Shared.WordFrequencies;
            var batch = Enumerable.Range(0, 2_000).Select(_ => Corpora.Example(string.Join(' ', Corpora.Salad(r, words).Split(' ').Take(30)), string.Join(' ', Corpora.Salad(r, words).Split(' ').Take(35)))).ToList();
            var scanner = ScannerEvaluation.WordSalad();
            var hits = ScannerEvaluation.Run([scanner], batch);
            Console.WriteLine($"batch of 2,000 short salads (30 + 35 words): mean {scanner.BatchCoherence(1):0.00} bits, {hits.CountOf(Gateway.Scanning.WordSaladScanner.Kind.Code)} flagged");
        }
        {
            var r = new Random(5);
            string Letters(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => new string(Enumerable.Range(0, r.Next(2, 11)).Select(_ => (char)('a' + r.Next(26))).ToArray())));
            var batch = Enumerable.Range(0, 5_000).Select(_ => Corpora.Example(Letters(r.Next(25, 61)), Letters(r.Next(25, 61)))).ToList();
            var salad = ScannerEvaluation.WordSalad();
            var hits = ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), salad], batch);
            Console.WriteLine($"batch of 5,000 random letter strings (25-60 words per field): gibberish {hits.CountOf(Gateway.Scanning.GibberishScanner.Kind.Code)}, salad {hits.CountOf(Gateway.Scanning.WordSaladScanner.Kind.Code)} (mean {salad.BatchCoherence(1):0.00} bits)");
        }
        ShortCleanBatches(sets);
        var cleanOnly = matrix.CleanCorpus(new Random(9), clean);
        var only = Levels(cleanOnly.Examples);
        Console.WriteLine($"clean batch alone ({clean}): " + string.Join(" ", ts.Select(t => only.Count(v => Hit(v, t)))));
    }

    private static bool Hit(double level, double t) => level < t;

    /// <summary>Batches of 4,000 short examples of each clean set: what the batch-wide judgements flag there.</summary>
    private static void ShortCleanBatches(CleanSets sets)
    {
        foreach (var set in sets.All)
        {
            var r = new Random(6);
            var batch = Enumerable.Range(0, 4_000).Select(_ => CleanSets.ShortExample(set, r)).ToList();
            var hits = ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), ScannerEvaluation.WordSalad()], batch);
            Console.WriteLine($"batch of 4,000 short {set.Name,-28}: gibberish {hits.CountOf(Gateway.Scanning.GibberishScanner.Kind.Code)}, salad {hits.CountOf(Gateway.Scanning.WordSaladScanner.Kind.Code)}");
        }
    }

    private static List<double> Levels(List<string> examples)
    {
        var scanner = ScannerEvaluation.WordSalad();
        ScannerEvaluation.Run([scanner], examples);
        return examples.Select((json, i) => ScannerEvaluation.Text(json, i + 1).Fields
            .Select(f => scanner.LeastCoherentRun(f.Text)?.Coherence ?? double.PositiveInfinity).DefaultIfEmpty(double.PositiveInfinity).Min()).ToList();
    }
}
