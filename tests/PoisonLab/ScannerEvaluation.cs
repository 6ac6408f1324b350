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
            Justification = "evaluation", License = "MIT", Source = Gateway.Batches.BatchSources.Vendor,
            DeclaredDomains = "general", RequestDigest = "", ContentBytes = examples.Sum(e => (long)e.Length + 1), Count = examples.Count,
        };
        batch.Apply(Gateway.Batches.BatchLifecycle.Upload);
        batch.Apply(Gateway.Batches.BatchLifecycle.StartScan);
        var context = new BatchScanContext(batch, new byte[examples.Count * 32], db: null!, blobs: null!, scannedAt: DateTimeOffset.UnixEpoch);
        foreach (var scanner in scanners)
        {
            scanner.PrepareAsync(context, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        var hits = context.Hits;
        var ordered = scanners.OrderBy(s => s.Order).ToList();
        Pass(ordered, examples, hits, static (s, e, h) => s.Inspect(e, h));
        Pass(ordered.Where(s => s.NeedsSecondPass).ToList(), examples, hits, static (s, e, h) => s.InspectAgain(e, h));
        // Asked after the second pass, as the scan job asks.
        Pass(ordered.Where(s => s.NeedsFinalPass).ToList(), examples, hits, static (s, e, h) => s.InspectFinal(e, h));
        foreach (var scanner in ordered)
        {
            scanner.Conclude(hits);
        }
        return hits;
    }

    private static void Pass(List<IExampleScanner> scanners, IReadOnlyList<string> examples, ExampleHits hits,
        Action<IExampleScanner, ExampleText, ExampleHits> inspect)
    {
        if (scanners.Count == 0)
        {
            return;
        }
        Parallel.For(0, examples.Count, i =>
        {
            var text = Text(examples[i], i + 1);
            foreach (var scanner in scanners)
            {
                inspect(scanner, text, hits);
            }
        });
    }

    public static GibberishScanner Gibberish() => new(Options.Create(new GibberishOptions
    {
        LongRunMeanBits = double.Parse(Environment.GetEnvironmentVariable("GIBBERISH_MEAN") ?? "4.8"),
    }));

    public static WordSaladScanner WordSalad() => new(Options.Create(new WordSaladOptions
    {
        MinRunWords = int.Parse(Environment.GetEnvironmentVariable("SALAD_MINRUN") ?? "6"),
        MinCount = int.Parse(Environment.GetEnvironmentVariable("SALAD_MINCOUNT") ?? "5"),
        MemberCoherence = double.Parse(Environment.GetEnvironmentVariable("SALAD_MEMBER") ?? "1.0"),
        MinMemberPairs = int.Parse(Environment.GetEnvironmentVariable("SALAD_MEMBERPAIRS") ?? "4"),
        MinJudged = int.Parse(Environment.GetEnvironmentVariable("SALAD_MINJUDGED") ?? "12"),
    }));
}
