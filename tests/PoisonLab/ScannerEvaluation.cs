using System.Text;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Scanning;

namespace VendorGate.PoisonLab;

/// <summary>Runs example scanners directly (no HTTP) over generated examples: the evaluation harness's engine.</summary>
public static class ScannerEvaluation
{
    public static ExampleText Text(string json, long line) =>
        ExampleText.Parse(Encoding.UTF8.GetBytes(json), line, []);

    /// <summary>Lines (one-based) the scanner flagged with <paramref name="code"/>, in parallel like the scan job.</summary>
    public static IReadOnlySet<long> Flagged(IExampleScanner scanner, IReadOnlyList<string> examples, string code) =>
        Run([scanner], examples).LinesOf(code);

    /// <summary>The scan job's content scan (<see cref="ContentScan"/>: every pass, in parallel chunks) over
    /// <paramref name="examples"/>, a batch of their own with no database and no corpus.</summary>
    public static ExampleHits Run(IReadOnlyList<IExampleScanner> scanners, IReadOnlyList<string> examples)
    {
        var content = Encoding.UTF8.GetBytes(string.Concat(examples.Select(e => e + "\n")));
        var context = Context(examples.Count, content.Length);
        ContentScan.RunAsync(context, scanners, _ => Task.FromResult<Stream>(new MemoryStream(content, writable: false)),
            static (_, _) => Task.CompletedTask, CancellationToken.None).GetAwaiter().GetResult();
        return context.Hits;
    }

    /// <summary>A scan of a batch of its own, <paramref name="count"/> examples in <paramref name="bytes"/>, being scanned:
    /// no database, no blobs, no corpus.</summary>
    public static BatchScanContext Context(int count, long bytes)
    {
        var batch = new Gateway.Batches.Batch
        {
            Justification = "evaluation", License = "MIT", Source = Gateway.Batches.BatchSources.Vendor,
            DeclaredDomains = "", RequestDigest = "", ContentBytes = bytes, Count = count,
        };
        batch.Apply(Gateway.Batches.BatchLifecycle.Upload);
        batch.Apply(Gateway.Batches.BatchLifecycle.StartScan);
        return new BatchScanContext(batch, new byte[count * 32], ScanReads.None, blobs: null!, scannedAt: DateTimeOffset.UnixEpoch);
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
