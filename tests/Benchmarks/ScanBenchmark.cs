using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace VendorGate.Benchmarks;

/// <summary>Scans the reference corpus: every scanner of the scan job (both passes) on a Gateway process on the
/// embedded default, timed from the end of the upload to the batch leaving <c>scanning</c> (target ≤ 60 s for 1M on 2 cores).</summary>
public static class ScanBenchmark
{
    /// <param name="kind">reference, adversarial (made-up words throughout) or realistic (the clean sets' real text).</param>
    public static async Task<int> RunAsync(string gatewayDll, int count, string workDir, string kind = "reference")
    {
        var file = Path.Combine(workDir, $"{kind}-{count}.ndjson");
        var corpus = kind switch
        {
            "adversarial" => ReferenceCorpus.EnsureAdversarial(file, count),
            "realistic" => ReferenceCorpus.EnsureRealistic(file, count),
            _ => ReferenceCorpus.Ensure(file, count),
        };
        Console.WriteLine($"corpus: {count:N0} examples, {new FileInfo(corpus).Length / 1e6:F0} MB ({corpus})");
        var dataDir = Path.Combine(workDir, "gateway-data-" + Guid.NewGuid().ToString("N")[..8]);
        await using var gateway = await GatewayProcess.StartAsync(gatewayDll, dataDir);
        using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(10) };
        await IngestBenchmark.AuthenticateAsync(http, dataDir);

        // Warm up: a small batch through upload and scan, so the JIT and the tokenizer's data are loaded.
        var warmup = ReferenceCorpus.Ensure(Path.Combine(workDir, "warmup-20000.ndjson"), 20_000, seed: 11);
        var warmupBatch = await IngestBenchmark.OpenBatchAsync(http);
        await IngestBenchmark.UploadAsync(http, warmupBatch, warmup);
        await IngestBenchmark.WaitForScanAsync(http, warmupBatch);

        var batchId = await IngestBenchmark.OpenBatchAsync(http);
        await IngestBenchmark.UploadAsync(http, batchId, corpus);
        var cpuBefore = gateway.CpuTime();
        var clock = Stopwatch.StartNew();
        var (batch, peakRss) = await WaitSamplingAsync(http, batchId, gateway.RssBytes);
        var wall = clock.Elapsed;
        var cpu = gateway.CpuTime() - cpuBefore;
        Console.WriteLine($"status {batch.GetProperty("status").GetString()}; findings: " + string.Join(", ",
            batch.GetProperty("findings").EnumerateArray().Select(f => $"{f.GetProperty("code").GetString()} ({f.GetProperty("message").GetString()!.Split(':')[^1].Trim()})")));
        Console.WriteLine();
        Console.WriteLine("| measure | value | target |");
        Console.WriteLine("| --- | --- | --- |");
        Console.WriteLine($"| scan {count:N0} examples (all scanners, both passes) | {wall.TotalSeconds:F1} s ({count / wall.TotalSeconds:N0} examples/s) | ≤ 60 s {(wall.TotalSeconds <= 60 ? "(met)" : "(NOT met)")} |");
        Console.WriteLine($"| Gateway CPU during the scan | {cpu.TotalSeconds:F1} s ({cpu / wall:F2} cores) | |");
        Console.WriteLine($"| Gateway RSS during the scan (sampled every 100 ms) | {peakRss / 1048576.0:F0} MB | |");
        Directory.Delete(dataDir, recursive: true);
        return 0;
    }

    /// <summary>Polls the batch every 100 ms until it leaves received/scanning, sampling <paramref name="rss"/> each time:
    /// the batch as it ended, and the largest sample.</summary>
    public static async Task<(JsonElement Batch, long PeakRss)> WaitSamplingAsync(HttpClient http, Guid batchId, Func<long> rss)
    {
        long peakRss = 0;
        while (true)
        {
            var batch = await http.GetFromJsonAsync<JsonElement>($"/v1/batches/{batchId}");
            peakRss = Math.Max(peakRss, rss());
            if (batch.GetProperty("status").GetString() is not ("received" or "scanning"))
            {
                return (batch, peakRss);
            }
            await Task.Delay(100);
        }
    }
}
