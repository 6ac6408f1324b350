using System.Diagnostics;

namespace VendorGate.Benchmarks;

/// <summary>Issue 17, item 4: the first upload of the reference corpus to a Gateway process that has served nothing,
/// beside a second and third upload to the same process once the first's scan is done (warm), and `sha256sum`, in one
/// run. Variables named <c>GATEWAY_X</c> are passed to the Gateway as <c>X</c> (e.g. <c>GATEWAY_DOTNET_TieredPGO=0</c>),
/// so runtime settings are compared without touching the benchmark's own process.</summary>
public static class ColdBenchmark
{
    public static async Task<int> RunAsync(string gatewayDll, int count, string workDir)
    {
        var corpus = ReferenceCorpus.Ensure(Path.Combine(workDir, $"reference-{count}.ndjson"), count);
        await Measure.RunAsync("cat", corpus);
        var sha = await Measure.RunAsync("sha256sum", corpus);
        var settings = GatewayProcess.SettingsFromEnvironment();
        Console.WriteLine($"Gateway settings: {(settings.Count == 0 ? "none" : string.Join(", ", settings.Select(s => $"{s.Key}={s.Value}")))}");

        var dataDir = Path.Combine(workDir, "cold-data-" + Guid.NewGuid().ToString("N")[..8]);
        var clock = Stopwatch.StartNew();
        await using var gateway = await GatewayProcess.StartAsync(gatewayDll, dataDir, settings);
        var ready = clock.Elapsed;
        using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(10) };
        await IngestBenchmark.AuthenticateAsync(http, dataDir);
        var uploads = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var batch = await IngestBenchmark.OpenBatchAsync(http);
            clock.Restart();
            await IngestBenchmark.UploadAsync(http, batch, corpus);
            uploads.Add(clock.Elapsed);
            Console.WriteLine($"upload {i + 1}: {uploads[^1].TotalSeconds:F2} s; waiting for its scan...");
            await IngestBenchmark.WaitForScanAsync(http, batch);
        }
        var warm = uploads[1] < uploads[2] ? uploads[1] : uploads[2];
        Console.WriteLine();
        Console.WriteLine("| work | VendorGate | reference (same run) | target |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| first {count:N0}-example upload on a fresh process | {uploads[0].TotalSeconds:F2} s ({uploads[0] / sha:F2}× sha256sum) | "
            + $"warm (best of the 2nd and 3rd) {warm.TotalSeconds:F2} s ({warm / sha:F2}×), sha256sum {sha.TotalSeconds:F2} s | "
            + $"≤ 1.5× warm: {uploads[0] / warm:F2}× {(uploads[0] / warm <= 1.5 ? "(met)" : "(NOT met)")} |");
        Console.WriteLine($"| start until /readyz | {ready.TotalSeconds:F2} s | | |");
        Directory.Delete(dataDir, recursive: true);
        return 0;
    }
}
