using System.Diagnostics;

namespace VendorGate.Benchmarks;

/// <summary>Consecutive uploads of the reference corpus (default ten of 1M) to one Gateway process on the embedded
/// default, each scanned before the next, with the Gateway's RSS sampled throughout (target: ≤ 512 MB at every sample,
/// and flat from round to round). To see what holds the memory, run <c>dotnet-gcdump collect -p PID</c> or
/// <c>dotnet-counters monitor -p PID</c> against the Gateway while it runs.</summary>
public static class MemoryBenchmark
{
    public static async Task<int> RunAsync(string gatewayDll, int count, int rounds, string workDir)
    {
        var corpus = ReferenceCorpus.Ensure(Path.Combine(workDir, $"reference-{count}.ndjson"), count);
        Console.WriteLine($"corpus: {count:N0} examples, {new FileInfo(corpus).Length / 1e6:F0} MB, {rounds} rounds ({corpus})");
        var settings = GatewayProcess.SettingsFromEnvironment();
        Console.WriteLine($"Gateway settings: {string.Join(", ", settings.Select(s => $"{s.Key}={s.Value}").DefaultIfEmpty("none"))}");
        var dataDir = Path.Combine(workDir, "gateway-data-" + Guid.NewGuid().ToString("N")[..8]);
        await using var gateway = await GatewayProcess.StartAsync(gatewayDll, dataDir, settings);
        using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(10) };
        await IngestBenchmark.AuthenticateAsync(http, dataDir);
        Console.WriteLine($"started: RSS {gateway.RssBytes() / 1048576.0:F0} MB");

        Console.WriteLine();
        Console.WriteLine("| round | upload | upload peak RSS | scan | scan peak RSS | RSS 2 s after |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        long peak = 0;
        var after = new List<long>();
        for (var round = 1; round <= rounds; round++)
        {
            var batchId = await IngestBenchmark.OpenBatchAsync(http);
            var clock = Stopwatch.StartNew();
            var (_, uploadRss) = await gateway.SampleRssAsync(UploadAsync(http, batchId, corpus));
            var upload = clock.Elapsed;
            clock.Restart();
            var (batch, scanRss) = await ScanBenchmark.WaitSamplingAsync(http, batchId, gateway.RssBytes);
            var scan = clock.Elapsed;
            var status = batch.GetProperty("status").GetString();
            // The scan job releases its memory just after the batch leaves scanning (ScanMemory): read RSS once that is done.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var now = gateway.RssBytes();
            after.Add(now);
            peak = Math.Max(peak, Math.Max(uploadRss, scanRss));
            Console.WriteLine($"| {round} | {upload.TotalSeconds:F1} s | {Mb(uploadRss)} | {scan.TotalSeconds:F1} s ({status}) | {Mb(scanRss)} | {Mb(now)} |");
        }
        Console.WriteLine();
        Console.WriteLine("| measure | value | target |");
        Console.WriteLine("| --- | --- | --- |");
        Console.WriteLine($"| Gateway peak RSS over {rounds} uploads of {count:N0} and their scans | {Mb(peak)} | ≤ 512 MB {(peak <= 512L << 20 ? "(met)" : "(NOT met)")} |");
        Console.WriteLine($"| RSS after round 1 → after round {rounds} | {Mb(after[0])} → {Mb(after[^1])} | flat |");
        Console.WriteLine($"| Gateway peak RSS (VmHWM, the kernel's own) | {Mb(gateway.PeakRssBytes())} | |");
        Directory.Delete(dataDir, recursive: true);
        return 0;
    }

    private static async Task<bool> UploadAsync(HttpClient http, Guid batchId, string path)
    {
        await IngestBenchmark.UploadAsync(http, batchId, path);
        return true;
    }

    private static string Mb(long bytes) => $"{bytes / 1048576.0:F0} MB";
}
