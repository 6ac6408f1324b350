using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Scanning;
using VendorGate.PoisonLab;

namespace VendorGate.Benchmarks;

/// <summary>What each example scanner costs per byte of content, in this process and on one thread: the first examples
/// of a corpus (<c>CORPUS</c>: reference, adversarial or realistic), each scanner prepared for them as a batch of their
/// own (no database, no corpus) and run over every example, pass by pass, several rounds; the least time of the rounds
/// is reported (timing noise only adds). A change to one scanner shows here within a few per cent, where the whole
/// scan benchmark (a Gateway, an upload, every scanner on both cores) moves by more than that from run to run.</summary>
public static class ScannerCostBenchmark
{
    public static int Run(int count, int rounds, string workDir, string kind, string? only, bool togetherOnly)
    {
        var file = Path.Combine(workDir, $"{kind}-{count}.ndjson");
        file = kind switch
        {
            "realistic" => ReferenceCorpus.EnsureRealistic(file, count),
            "adversarial" => ReferenceCorpus.EnsureAdversarial(file, count),
            _ => ReferenceCorpus.Ensure(file, count),
        };
        var lines = File.ReadLines(file).Take(count).Select(Encoding.UTF8.GetBytes).ToList();
        var bytes = lines.Sum(l => (long)l.Length + 1);
        Console.WriteLine($"corpus: {lines.Count:N0} {kind} examples, {bytes / 1e6:F1} MB ({file}); {rounds} rounds, least time of each");

        var names = Scanners(only).Select(s => s.GetType().Name).ToList();
        var best = names.ToDictionary(n => n, _ => new double[3]);
        var parse = double.MaxValue;
        for (var round = 0; round < (togetherOnly ? 0 : rounds); round++)
        {
            foreach (var scanner in Scanners(only))
            {
                var context = ScannerEvaluation.Context(lines.Count, bytes);
                scanner.PrepareAsync(context, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                var times = best[scanner.GetType().Name];
                for (var pass = 1; pass <= 3; pass++)
                {
                    if (pass == 2 && !scanner.NeedsSecondPass || pass == 3 && !scanner.NeedsFinalPass)
                    {
                        continue;
                    }
                    var clock = Stopwatch.StartNew();
                    var examples = Parse(lines, context);
                    parse = Math.Min(parse, clock.Elapsed.TotalSeconds);
                    clock.Restart();
                    foreach (var example in examples)
                    {
                        switch (pass)
                        {
                            case 1: scanner.Inspect(example, context.Hits); break;
                            case 2: scanner.InspectAgain(example, context.Hits); break;
                            default: scanner.InspectFinal(example, context.Hits); break;
                        }
                    }
                    var seconds = clock.Elapsed.TotalSeconds;
                    times[pass - 1] = round == 0 ? seconds : Math.Min(times[pass - 1], seconds);
                }
                scanner.Conclude(context.Hits);
            }
        }

        // Together, as the scan job runs them: every scanner on each example, chunks in parallel on every core.
        var content = lines.SelectMany(l => l.Append((byte)'\n')).ToArray();
        var (wall, cpu) = (double.MaxValue, double.MaxValue);
        for (var round = 0; round < rounds; round++)
        {
            var context = ScannerEvaluation.Context(lines.Count, bytes);
            var (clock, cpuBefore) = (Stopwatch.StartNew(), Process.GetCurrentProcess().TotalProcessorTime);
            ContentScan.RunAsync(context, Scanners(only), _ => Task.FromResult<Stream>(new MemoryStream(content, writable: false)),
                static (_, _) => Task.CompletedTask, CancellationToken.None).GetAwaiter().GetResult();
            wall = Math.Min(wall, clock.Elapsed.TotalSeconds);
            cpu = Math.Min(cpu, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
        }

        Console.WriteLine();
        Console.WriteLine("| scanner | pass 1 | pass 2 | final pass | ns per byte, all passes |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (name, times) in best.OrderByDescending(b => b.Value.Sum()))
        {
            Console.WriteLine($"| {name} | {Seconds(times[0])} | {Seconds(times[1])} | {Seconds(times[2])} | {times.Sum() * 1e9 / bytes:F1} |");
        }
        if (!togetherOnly)
        {
            var total = best.Values.Sum(t => t.Sum());
            Console.WriteLine($"| parsing an example (once per pass) | {Seconds(parse)} | | | {parse * 1e9 / bytes:F1} |");
            Console.WriteLine($"| all scanners, one at a time | | | | {total * 1e9 / bytes:F1} |");
        }
        Console.WriteLine($"| all scanners together, on {Environment.ProcessorCount} cores (the scan job's {nameof(ContentScan)}) | {wall:F3} s wall | | | {cpu * 1e9 / bytes:F1} (CPU) |");
        return 0;

        static string Seconds(double s) => s == 0 ? "" : $"{s:F3} s";
    }

    /// <summary>Every example scanner the Gateway runs that needs nothing but its options, with the defaults (not the
    /// known-bad signatures: they are read from the database).</summary>
    private static IExampleScanner[] Scanners(string? only = null) =>
        [.. AllScanners().Where(s => only is null || s.GetType().Name.Contains(only, StringComparison.OrdinalIgnoreCase))];

    private static IExampleScanner[] AllScanners() =>
    [
        new GibberishScanner(Options.Create(new GibberishOptions())), new WordSaladScanner(Options.Create(new WordSaladOptions())),
        new TriggerDiscoveryScanner(), new NearDuplicateScanner(), new BehaviourSplitScanner(), new PiiScanner(),
        new AnnotatorProfileScanner(), new HiddenCharacterScanner(), new EvalCoverageScanner(Options.Create(new EvalCoverageOptions())),
    ];

    private static List<ExampleText> Parse(List<byte[]> lines, BatchScanContext context) =>
        [.. lines.Select((line, i) => ExampleText.Parse(line, i + 1, context.DeclaredDomains))];
}
