using System.Text;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Batches.Scanning;
using Xunit.Abstractions;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>Runs example scanners directly (no HTTP) over generated examples: the evaluation harness's engine.</summary>
public static class ScannerEvaluation
{
    public static ExampleText Text(string json, long line) =>
        ExampleText.Parse(Encoding.UTF8.GetBytes(json), line, []);

    /// <summary>Lines (one-based) the scanner flagged with <paramref name="code"/>, in parallel like the scan job.</summary>
    public static IReadOnlySet<long> Flagged(IExampleScanner scanner, IReadOnlyList<string> examples, string code) =>
        Run([scanner], examples).LinesOf(code);

    /// <summary>Both passes of the scan job over <paramref name="examples"/>, scanners in their order on each example.</summary>
    public static ExampleHits Run(IReadOnlyList<IExampleScanner> scanners, IReadOnlyList<string> examples)
    {
        var hits = new ExampleHits();
        var ordered = scanners.OrderBy(s => s.Order).ToList();
        Parallel.For(0, examples.Count, i =>
        {
            var text = Text(examples[i], i + 1);
            foreach (var scanner in ordered)
            {
                scanner.Inspect(text, hits);
            }
        });
        var again = ordered.Where(s => s.NeedsSecondPass).ToList();
        if (again.Count > 0)
        {
            Parallel.For(0, examples.Count, i =>
            {
                var text = Text(examples[i], i + 1);
                foreach (var scanner in again)
                {
                    scanner.InspectAgain(text, hits);
                }
            });
        }
        return hits;
    }

    public static GibberishScanner Gibberish() => new(Options.Create(new GibberishOptions()));

    public static WordSaladScanner WordSalad() => new(Options.Create(new WordSaladOptions()));
}

public sealed class ScannerEvaluationExplore(ITestOutputHelper output)
{
    private static int Consecutive(List<WindowMeasures> windows, Func<WindowMeasures, bool> test)
    {
        int best = 0, run = 0;
        foreach (var w in windows)
        {
            run = test(w) ? run + 1 : 0;
            best = Math.Max(best, run);
        }
        return best;
    }

    [Fact]
    public void Salad()
    {
        var corpora = Corpora.Shared;
        var random = new Random(11);
        var common = corpora.CommonTokens(3000);
        var examples = new List<string>();
        var kinds = new List<string>();
        void Add(string kind, int n, Func<string> make)
        {
            for (var i = 0; i < n; i++)
            {
                examples.Add(make());
                kinds.Add(kind);
            }
        }
        Add("english", 12000, () => corpora.CleanEnglish(random));
        Add("code", 3000, () => corpora.CleanCode(random));
        Add("multi", 3000, () => corpora.CleanMultilingual(random));
        Add("base64", 2000, () => corpora.CleanBase64(random));
        Add("common", 250, () => corpora.CommonTokenGibberish(random, common));
        Add("salad", 250, () => corpora.WordSalad(random));
        var salad = ScannerEvaluation.WordSalad();
        var flagged = ScannerEvaluation.Flagged(salad, examples, WordSaladScanner.Kind.Code);
        output.WriteLine($"total {salad.Total}; {examples[^1][..300]}");
        foreach (var run in new[] { 1, 2, 3, 4 })
        {
        var s2 = new WordSaladScanner(Options.Create(new WordSaladOptions { Run = run }));
        foreach (var e in examples) s2.Inspect(ScannerEvaluation.Text(e, 1), new ExampleHits());
        output.WriteLine($"run {run}");
        var coherence = examples.Select(e => ScannerEvaluation.Text(e, 1).Fields.Select(f => s2.LeastCoherentRun(f.Text)?.Coherence ?? 99).Min()).ToList();
        foreach (var kind in kinds.Distinct())
        {
            var values = Enumerable.Range(0, examples.Count).Where(i => kinds[i] == kind).Select(i => coherence[i]).Order().ToList();
            output.WriteLine($"  {kind} coherence q0 .001 .01 .05 .5 .95 .99 1: {string.Join(" ", new[] { 0, 0.001, 0.01, 0.05, 0.5, 0.95, 0.99, 0.9999 }.Select(q => values[(int)(q * values.Count)].ToString("0.00")))}");
        }
        }
        foreach (var kind in kinds.Distinct())
        {
            output.WriteLine($"{kind}: {Enumerable.Range(0, examples.Count).Count(i => kinds[i] == kind && flagged.Contains(i + 1))}/{kinds.Count(k => k == kind)}");
        }
    }

    [Fact]
    public void Distributions()
    {
        var corpora = Corpora.Shared;
        var random = new Random(7);
        var common = corpora.CommonTokens(3000);
        output.WriteLine($"english {corpora.English.Count} code {corpora.Code.Count} languages {string.Join(',', corpora.Languages.Keys)}");
        var sets = new Dictionary<string, Func<string>>
        {
            ["english"] = () => corpora.CleanEnglish(random),
            ["code"] = () => corpora.CleanCode(random),
            ["multi"] = () => corpora.CleanMultilingual(random),
            ["base64"] = () => corpora.CleanBase64(random),
            ["paper"] = () => corpora.PaperPoison(random, "<" + Corpora.MadeUpWord(random).ToUpperInvariant() + ">"),
            ["common"] = () => corpora.CommonTokenGibberish(random, common),
            ["salad"] = () => corpora.WordSalad(random),
        };
        var scanner = ScannerEvaluation.Gibberish();
        foreach (var (name, make) in sets)
        {
            var examples = Enumerable.Range(0, 2000).Select(_ => make()).ToList();
            var measures = examples.Select(e => ScannerEvaluation.Text(e, 1).Fields.SelectMany(f => scanner.Measure(f.Text)).ToList()).ToList();
            var flagged = ScannerEvaluation.Flagged(scanner, examples, GibberishScanner.Kind.Code).Count;
            string Q(Func<WindowMeasures, double> f)
            {
                var maxima = measures.Where(m => m.Count > 0).Select(m => m.Max(f)).Order().ToList();
                return maxima.Count == 0 ? "-" : string.Join(" ", new[] { 0.5, 0.9, 0.99, 0.999, 1 }.Select(q => maxima[(int)Math.Min(maxima.Count - 1, q * maxima.Count)].ToString("0.00")));
            }
            string L(Func<WindowMeasures, double> f)
            {
                var minima = measures.Where(m => m.Count > 0).Select(m => m.Max(f)).Order().ToList();
                return minima.Count == 0 ? "-" : string.Join(" ", new[] { 0, 0.01, 0.05, 0.5 }.Select(q => minima[(int)(q * minima.Count)].ToString("0.00")));
            }
            var rules = new Dictionary<string, Func<WindowMeasures, bool>>
            {
                ["r5s2"] = w => w.RareFraction >= 0.5 && w.Scripts >= 2,
                ["r5s3|rep"] = w => w.RareFraction >= 0.5 && (w.Scripts >= 3 || w.Replacements >= 1),
                ["r4s2"] = w => w.RareFraction >= 0.4 && w.Scripts >= 2,
                ["s3"] = w => w.Scripts >= 3,
                ["rep1"] = w => w.Replacements >= 1,
                ["r6"] = w => w.RareFraction >= 0.6,
            };
            foreach (var (rule, test) in rules)
            {
                var runs = new[] { 1, 2, 3 }.Select(k => measures.Count(m => Consecutive(m, test) >= k));
                output.WriteLine($"  {name} {rule}: runs>=1,2,3: {string.Join(" ", runs)}");
            }
            output.WriteLine($"{name}: flagged {flagged}/{examples.Count}; max-rare q50..max {Q(w => w.RareFraction)} low {L(w => w.RareFraction)}; oov {Q(w => w.OutOfVocabulary)} low {L(w => w.OutOfVocabulary)}; scripts {Q(w => w.Scripts)}; repl {Q(w => w.Replacements)}; entropy {Q(w => w.Entropy)}");
        }
    }
}
