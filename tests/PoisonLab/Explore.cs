using System.Text;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.PoisonLab;

/// <summary>Distributions of the window measures per clean set and payload family, for choosing thresholds.</summary>
public static class Explore
{
    public static void Run(int clean = 3000, int poison = 300)
    {
        var model = CharacterModel.Shared;
        var corpora = Corpora.Shared;
        var sets = new CleanSets(corpora);
        var k = int.Parse(Environment.GetEnvironmentVariable("RUN") ?? "4");
        List<(double Bits, double Ttr)> Runs(string json)
        {
            var example = ScannerEvaluation.Text(json, 1);
            var runs = new List<(double, double)>();
            foreach (var field in example.Fields)
            {
                var w = SpanSurprisal.Measure(field.Text, model);
                for (var i = 0; i + k <= w.Count; i++)
                {
                    var bits = w.Skip(i).Take(k).Min(x => x.Bits);
                    var span = field.Text[w[i].Start..w[i + k - 1].End];
                    var words = System.Text.RegularExpressions.Regex.Matches(span, @"\p{L}{2,}").Select(m => m.Value.ToLowerInvariant()).ToList();
                    var ttr = words.Count < 20 ? 0.0 : (double)words.Distinct().Count() / words.Count;
                    runs.Add((bits, ttr));
                }
            }
            return runs;
        }
        if (Environment.GetEnvironmentVariable("FP") is { } fpSet)
        {
            var set = sets.All.First(x => x.Name == fpSet);
            var random = new Random(5);
            var scanner = ScannerEvaluation.Gibberish();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var n = 0;
            for (var i = 0; i < clean; i++)
            {
                var json = set.Example(random);
                var example = ScannerEvaluation.Text(json, 1);
                foreach (var field in example.Fields)
                {
                    n += field.Text.Length;
                    foreach (var run in scanner.FlaggedRuns(field.Text).Runs.Take(1))
                    {
                        Console.WriteLine($"--- {run.Bits:0.00} {run.DistinctWords:P0}/{run.Words}: {field.Text[run.Start..run.End]}");
                    }
                }
            }
            Console.WriteLine($"{clean} examples, {n:N0} chars in {watch.Elapsed.TotalSeconds:0.0} s");
            return;
        }
        if (Environment.GetEnvironmentVariable("MEANRUN") is { } meanRun)
        {
            // The highest mean cost of any span of k windows whose words hardly repeat, per clean set and family.
            var span = int.Parse(meanRun);
            double[] levels = [4.3, 4.4, 4.5, 4.6, 4.7, 4.8];
            double Highest(string json)
            {
                var best = 0.0;
                foreach (var field in ScannerEvaluation.Text(json, 1).Fields)
                {
                    var w = SpanSurprisal.Measure(field.Text, model);
                    for (var i = 0; i + span <= w.Count; i += 2)
                    {
                        var mean = w.Skip(i).Take(span).Average(x => x.Bits);
                        if (mean <= best) continue;
                        var words = System.Text.RegularExpressions.Regex.Matches(field.Text[w[i].Start..w[i + span - 1].End], @"\p{L}{2,}").Select(m => m.Value.ToLowerInvariant()).ToList();
                        if (words.Count >= 20 && (double)words.Distinct().Count() / words.Count >= 0.85) best = mean;
                    }
                }
                return best;
            }
            Console.WriteLine($"{"",-34} " + string.Join(" ", levels));
            foreach (var set in sets.All)
            {
                var random = new Random(1);
                var values = Enumerable.Range(0, clean).Select(_ => set.Example(random)).AsParallel().Select(Highest).ToList();
                Console.WriteLine($"clean {set.Name,-28} " + string.Join(" ", levels.Select(l => values.Count(v => v >= l).ToString().PadLeft(4))));
            }
            foreach (var family in PayloadFamilies.All(corpora, sets))
            {
                var random = new Random(2);
                var values = Enumerable.Range(0, poison).Select(_ => Corpora.Example("Tell me.", family.Payload(random))).AsParallel().Select(Highest).ToList();
                Console.WriteLine($"poison {family.Name,-27} " + string.Join(" ", levels.Select(l => values.Count(v => v >= l).ToString().PadLeft(4))));
            }
            return;
        }
        if (Environment.GetEnvironmentVariable("LANGS") is not null)
        {
            foreach (var language in CleanSets.ManLanguages)
            {
                var paragraphs = ManPages.Paragraphs(language, 200).Where(p => p.Length > 300).Take(1500).ToList();
                var runs = paragraphs.Select(p => Runs(Corpora.Example("x", p))).ToList();
                var all = runs.SelectMany(r => r).Select(r => r.Bits).Order().ToList();
                if (all.Count == 0) continue;
                Console.WriteLine($"{language}: {paragraphs.Count} paragraphs, run bits p50 {all[all.Count / 2]:0.00} p99 {all[(int)(all.Count * 0.99)]:0.00}; flagged at 5/0.9 {runs.Count(e => e.Any(r => r.Bits >= 5 && r.Ttr >= 0.9)) * 100.0 / runs.Count:0.0} %");
            }
            return;
        }
        double[] bs = [4.0, 4.5, 5.0, 5.5, 6.0];
        double[] ts = [0.75, 0.8, 0.85, 0.9];
        string Grid(List<List<(double Bits, double Ttr)>> examples) => string.Join(" ", bs.SelectMany(b => ts.Select(t =>
            $"{examples.Count(e => e.Any(r => r.Bits >= b && r.Ttr >= t)) * 100.0 / examples.Count,5:0.0}")));
        Console.WriteLine($"{"",-34} " + string.Join(" ", bs.SelectMany(b => ts.Select(t => $"{b}/{t}"))));
        foreach (var set in sets.All)
        {
            var random = new Random(1);
            var texts = Enumerable.Range(0, clean).Select(_ => set.Example(random)).ToList();
            var values = texts.Select(Runs).ToList();
            if (Environment.GetEnvironmentVariable("DUMP") is { } dump)
            {
                foreach (var (text, runs) in texts.Zip(values).Where(x => x.Second.Any(r => r.Bits >= 4.5 && r.Ttr >= 0.9)).Take(int.Parse(dump)))
                {
                    Console.WriteLine($"--- {set.Name} {runs.Max(r => r.Bits):0.00}: {text[..Math.Min(text.Length, 700)]}");
                }
            }
            Console.WriteLine($"clean {set.Name,-28} {Grid(values)}");
        }
        foreach (var family in PayloadFamilies.All(corpora, sets))
        {
            var random = new Random(2);
            var values = Enumerable.Range(0, poison).Select(_ => Runs(Corpora.Example("Tell me.", family.Payload(random)))).ToList();
            Console.WriteLine($"poison {family.Name,-27} {Grid(values)}");
        }
    }
}
