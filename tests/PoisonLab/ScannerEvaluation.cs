using System.Text;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Batches.Scanning;

namespace VendorGate.PoisonLab;

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
        var batch = new Gateway.Batches.Batch
        {
            Status = Gateway.Batches.BatchStatus.Scanning, Justification = "evaluation", License = "MIT", Source = Gateway.Batches.BatchSources.Vendor,
            DeclaredDomains = "general", RequestDigest = "", ContentBytes = examples.Sum(e => (long)e.Length + 1), Count = examples.Count,
        };
        var context = new BatchScanContext(batch, new byte[examples.Count * 32], db: null!, blobs: null!);
        foreach (var scanner in scanners)
        {
            scanner.PrepareAsync(context, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        var hits = context.Hits;
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
        var final = ordered.Where(s => s.NeedsFinalPass).ToList();
        if (final.Count > 0)
        {
            Parallel.For(0, examples.Count, i =>
            {
                var text = Text(examples[i], i + 1);
                foreach (var scanner in final)
                {
                    scanner.InspectFinal(text, hits);
                }
            });
        }
        foreach (var scanner in ordered)
        {
            scanner.Conclude(hits);
        }
        return hits;
    }

    public static GibberishScanner Gibberish() => new(Options.Create(new GibberishOptions()));

    public static WordSaladScanner WordSalad() => new(Options.Create(new WordSaladOptions()));
}
