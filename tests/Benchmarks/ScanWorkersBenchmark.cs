using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace VendorGate.Benchmarks;

/// <summary>One large batch scanned by one worker process, then the same content by two, on PostgreSQL + Azurite: a
/// Gateway that takes the uploads and runs no jobs, and worker processes that run them (the batch's scan in shards,
/// <c>VendorGate:Scan:ShardExamples</c>). With <c>cores=1</c> each worker is pinned to a core of its own, as on machines
/// of their own; otherwise they share this machine's cores (target: two ≥ 1.8× faster than one).</summary>
public static class ScanWorkersBenchmark
{
    public static async Task<int> RunAsync(string gatewayDll, int count, bool pinned, string workDir)
    {
        var corpus = ReferenceCorpus.Ensure(Path.Combine(workDir, $"reference-{count}.ndjson"), count);
        Console.WriteLine($"corpus: {count:N0} examples, {new FileInfo(corpus).Length / 1e6:F0} MB; workers {(pinned ? "pinned to one core each" : "sharing every core")}");
        var run = Guid.NewGuid().ToString("N")[..8];
        var dataDir = Path.Combine(workDir, "workers-data-" + run);
        var environment = GatewayProcess.SettingsFromEnvironment();
        environment["ConnectionStrings__Postgres"] = LoadBenchmark.Required("VG_BENCH_POSTGRES") + $";Database=vgscan_{run}";
        environment["VendorGate__Blob__ConnectionString"] = LoadBenchmark.Required("VG_BENCH_AZURITE");
        environment["VendorGate__Blob__Container"] = "scan" + run;
        Console.WriteLine($"Gateway settings: {string.Join(", ", GatewayProcess.SettingsFromEnvironment().Select(s => $"{s.Key}={s.Value}").DefaultIfEmpty("none"))}");
        await using var gateway = await GatewayProcess.StartAsync(gatewayDll, dataDir, new Dictionary<string, string>(environment) { ["VendorGate__Jobs__RunServer"] = "false" });
        using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(10) };
        await IngestBenchmark.AuthenticateAsync(http, dataDir);

        var results = new List<(int Workers, TimeSpan Wall, TimeSpan Cpu, long PeakRss, string Status)>();
        foreach (var workers in new[] { 1, 2 })
        {
            var processes = await Task.WhenAll(Enumerable.Range(0, workers).Select(i => GatewayProcess.StartAsync(gatewayDll, dataDir, environment, pinned ? i % Environment.ProcessorCount : null)));
            try
            {
                // Warm up each worker (JIT, tokenizer data): small batches, scanned whole.
                var warmup = ReferenceCorpus.Ensure(Path.Combine(workDir, "warmup-20000.ndjson"), 20_000, seed: 11);
                foreach (var _ in processes.Concat(processes))
                {
                    var small = await IngestBenchmark.OpenBatchAsync(http);
                    await IngestBenchmark.UploadAsync(http, small, warmup);
                    await IngestBenchmark.WaitForScanAsync(http, small);
                }
                var batchId = await IngestBenchmark.OpenBatchAsync(http);
                var cpuBefore = processes.Select(p => p.CpuTime()).ToArray();
                await IngestBenchmark.UploadAsync(http, batchId, corpus);
                var clock = Stopwatch.StartNew();
                var (batch, peakRss) = await ScanBenchmark.WaitSamplingAsync(http, batchId, () => processes.Max(p => p.RssBytes()));
                var cpu = processes.Select((p, i) => p.CpuTime() - cpuBefore[i]).Aggregate(TimeSpan.Zero, (a, b) => a + b);
                results.Add((workers, clock.Elapsed, cpu, peakRss, batch.GetProperty("status").GetString()!));
                Console.WriteLine($"{workers} worker(s): {clock.Elapsed.TotalSeconds:F1} s, status {batch.GetProperty("status").GetString()}, findings: "
                    + string.Join(", ", batch.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString())));
            }
            finally
            {
                foreach (var process in processes)
                {
                    await process.DisposeAsync();
                }
            }
        }
        var (one, two) = (results[0], results[1]);
        Console.WriteLine();
        Console.WriteLine($"| scan of {count:N0} examples, PostgreSQL + Azurite, workers {(pinned ? "on one core each" : "sharing 2 cores")} | 1 worker | 2 workers | target |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| wall time (upload done → scanned) | {one.Wall.TotalSeconds:F1} s | {two.Wall.TotalSeconds:F1} s | 2 workers ≥ 1.8× faster: {one.Wall / two.Wall:F2}× {(one.Wall / two.Wall >= 1.8 ? "(met)" : "(NOT met)")} |");
        Console.WriteLine($"| worker CPU (sum) | {one.Cpu.TotalSeconds:F1} s ({one.Cpu / one.Wall:F2} cores) | {two.Cpu.TotalSeconds:F1} s ({two.Cpu / two.Wall:F2} cores) | |");
        Console.WriteLine($"| largest worker RSS (sampled) | {one.PeakRss / 1048576.0:F0} MB | {two.PeakRss / 1048576.0:F0} MB | |");
        Directory.Delete(dataDir, recursive: true);
        return 0;
    }
}
