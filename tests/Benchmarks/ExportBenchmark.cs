using System.Diagnostics;
using System.Text.Json;

namespace VendorGate.Benchmarks;

/// <summary>Issue 16's figure: a 1M-example snapshot exported to Parquet (POST until the export is written and signed)
/// beside streaming the same snapshot's NDJSON over HTTP, in the same run, with the Gateway's peak RSS while exporting.</summary>
public static class ExportBenchmark
{
    public static async Task<int> RunAsync(string gatewayDll, int count, string workDir)
    {
        var corpus = ReferenceCorpus.Ensure(Path.Combine(workDir, $"reference-{count}.ndjson"), count);
        var dataDir = Path.Combine(workDir, "export-data-" + Guid.NewGuid().ToString("N")[..8]);
        // As the corpus benchmark: the reference corpus is word salad by construction; only the export is measured here.
        await using var gateway = await GatewayProcess.StartAsync(gatewayDll, dataDir, new Dictionary<string, string>
        {
            ["VendorGate__Scan__Severity__word-salad"] = "info",
            ["VendorGate__Scan__EvalCoverage__MinProbes"] = "0",
        });
        var api = new CorpusBenchmark.Api(gateway.Address, (await File.ReadAllTextAsync(Path.Combine(dataDir, "bootstrap-admin.key"))).Trim());
        var vendor = (await api.Post(api.Admin, "/v1/vendors", new { name = "bench", jurisdiction = "DE", contactEmail = "b@example.com" })).GetProperty("id").GetString();
        await api.Post(await api.StaffAsync("procurement"), $"/v1/vendors/{vendor}/exceptions",
            new { reason = "Benchmark vendor: no evidence on file", expiresAt = DateTimeOffset.UtcNow.AddDays(1) });
        var annotator = await api.AnnotatorAsync(vendor!, "bulk");
        var maintainer = await api.StaffAsync("maintainer");
        var contributor = await api.StaffAsync("contributor");

        Console.WriteLine($"ingesting, scanning and approving {count:N0} examples, then cutting a snapshot...");
        var batch = await api.ApprovedBatchAsync(annotator.Client, maintainer, corpus);
        var version = (await api.Post(maintainer, "/v1/snapshots", new { message = "export", batchIds = new[] { batch } })).GetProperty("version").GetString()!;
        await api.WaitAsync(maintainer, $"/v1/snapshots/{version}", s => s.GetProperty("attestation").GetProperty("state").GetString() == "signed");

        var clock = Stopwatch.StartNew();
        long ndjsonBytes;
        await using (var content = await contributor.GetStreamAsync($"/v1/snapshots/{version}/content"))
        {
            var counting = new MemoryCounter();
            await content.CopyToAsync(counting);
            ndjsonBytes = counting.Length;
        }
        var ndjson = clock.Elapsed;

        Console.WriteLine($"exporting snapshot {version} to Parquet...");
        var rssBefore = gateway.RssBytes();
        var cpuBefore = gateway.CpuTime();
        clock.Restart();
        var id = (await api.Post(contributor, $"/v1/snapshots/{version}/exports", new { format = "parquet" })).GetProperty("id").GetString();
        var (export, peakRss) = await gateway.SampleRssAsync(
            api.WaitAsync(contributor, $"/v1/exports/{id}", e => e.GetProperty("status").GetString() == "completed"));
        var exportTime = clock.Elapsed;
        var cpu = gateway.CpuTime() - cpuBefore;
        var files = export.GetProperty("files").EnumerateArray().ToList();
        var parquet = files.Where(f => f.GetProperty("name").GetString()!.EndsWith(".parquet")).ToList();
        var parquetBytes = parquet.Sum(f => f.GetProperty("size").GetInt64());

        Console.WriteLine();
        Console.WriteLine("| work | VendorGate | reference (same run) | target |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| export {count:N0} examples to Parquet (POST until written and signed) | {exportTime.TotalSeconds:F2} s, {cpu.TotalSeconds:F1} s CPU | "
            + $"the snapshot's NDJSON over HTTP {ndjson.TotalSeconds:F2} s ({exportTime / ndjson:F2}×) | ≤ 20 s {(exportTime.TotalSeconds <= 20 ? "(met)" : "(NOT met)")} |");
        Console.WriteLine($"| files | {parquet.Count} Parquet shard(s), {parquetBytes / 1048576.0:F0} MB (Snappy) | NDJSON {ndjsonBytes / 1048576.0:F0} MB | ~256 MB of text each |");
        Console.WriteLine($"| Gateway RSS while exporting (sampled every 20 ms) | {peakRss / 1048576.0:F0} MB peak | {rssBefore / 1048576.0:F0} MB just before (after ingesting and scanning 1M) | |");
        Directory.Delete(dataDir, recursive: true);
        return 0;
    }

    /// <summary>Counts what is written to it, and keeps none of it.</summary>
    private sealed class MemoryCounter : Stream
    {
        private long length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => length;
        public override long Position { get => length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => length += count;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
