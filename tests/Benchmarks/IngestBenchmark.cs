using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace VendorGate.Benchmarks;

/// <summary>Uploads the reference corpus over HTTP to a Gateway process on the embedded default and compares the
/// wall time with `sha256sum` of the same file (target ≤ 2.0×) and the Gateway's peak RSS (target ≤ 512 MB); then the
/// same corpus through resumable upload sessions (target ≤ 1.10× the single PUT).</summary>
public static class IngestBenchmark
{
    public static async Task<int> RunAsync(string gatewayDll, int count, string workDir)
    {
        var corpus = ReferenceCorpus.Ensure(Path.Combine(workDir, $"reference-{count}.ndjson"), count);
        var size = new FileInfo(corpus).Length;
        Console.WriteLine($"corpus: {count:N0} examples, {size / 1e6:F0} MB ({corpus})");

        // Warm the page cache so both measurements read from memory.
        await Measure.RunAsync("cat", corpus);
        var sha = await Measure.RunAsync("sha256sum", corpus);
        Console.WriteLine($"sha256sum: {sha.TotalSeconds:F2} s");

        var dataDir = Path.Combine(workDir, "gateway-data-" + Guid.NewGuid().ToString("N")[..8]);
        // QUICK=1: one run of each upload (RUNS=n: n), no CLI and no scans (the Gateway runs no jobs, so nothing waits
        // for them), to try a change to the session path in minutes.
        var quick = Environment.GetEnvironmentVariable("QUICK") == "1";
        var settings = GatewayProcess.SettingsFromEnvironment(); // GATEWAY_X=v: X=v for the Gateway
        if (quick)
        {
            settings["VendorGate__Jobs__RunServer"] = "false";
            settings["VendorGate__Scan__Backlog__MaxSeconds"] = "0"; // nothing scans, so the backlog would never drain and creates would wait forever
        }
        await using var gateway = await GatewayProcess.StartAsync(gatewayDll, dataDir, settings);
        using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(10) };
        Task ScannedAsync(Guid batchId) => quick ? Task.CompletedTask : WaitForScanAsync(http, batchId);
        await AuthenticateAsync(http, dataDir);
        // A Gateway in service is warm: one upload first (the JIT tiers up under load), and its scan job
        // finished, so the measurement is neither of the JIT nor shared with a background scan.
        var warmup = ReferenceCorpus.Ensure(Path.Combine(workDir, "warmup-200000.ndjson"), 200_000, seed: 7);
        var warmupBatch = await OpenBatchAsync(http);
        var warmupClock = Stopwatch.StartNew();
        await UploadAsync(http, warmupBatch, warmup);
        Console.WriteLine($"warm-up: 200,000 examples uploaded in {warmupClock.Elapsed.TotalSeconds:F2} s");
        await ScannedAsync(warmupBatch);
        Console.WriteLine($"warm-up: scanned {warmupClock.Elapsed.TotalSeconds:F2} s after the upload started");
        // The session path is warmed too, so neither measurement pays for the other's JIT. Its per-block methods run
        // once per 8 MiB, not once per chunk: three sessions (75 blocks) take them through the JIT's tiers, where one
        // left the first measured session a second slower.
        var blockSize = 0;
        for (var round = 0; round < 3; round++)
        {
            var warmupSession = await OpenBatchAsync(http);
            var warmed = await SessionUploadAsync(http, warmupSession, warmup);
            warmed.Response.EnsureSuccessStatusCode();
            blockSize = warmed.BlockSize;
            await ScannedAsync(warmupSession);
        }
        // The client's share: the same sessions with every block's SHA-256 worked out before the clock starts. A vendor's
        // machine hashes its blocks; here it shares the Gateway's two cores.
        var digests = BlockDigests(corpus, blockSize);

        // Three measured pairs (each upload its own batch of the same corpus, each scan finished before the next): the
        // single PUT, then the same corpus through an upload session (blocks of the Gateway's size, three in flight,
        // then the commit). Alternating, so both see the machine in the same state; the medians are reported.
        var runs = new List<(TimeSpan Wall, TimeSpan Cpu, string Receipt)>();
        var sessionRuns = new List<(TimeSpan Wall, TimeSpan Commit, TimeSpan Cpu, string Receipt)>();
        var prehashedRuns = new List<TimeSpan>();
        long uploadPeakRss = 0;
        var repeats = quick ? int.Parse(Environment.GetEnvironmentVariable("RUNS") ?? "1") : 3;
        for (var run = 0; run < repeats; run++)
        {
            var batchId = await OpenBatchAsync(http);
            await using (var file = new FileStream(corpus, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
            {
                var sent = new SentClock(file);
                var content = new StreamContent(sent, 1 << 20);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                var cpuBefore = gateway.CpuTime();
                var clock = Stopwatch.StartNew();
                var (response, rss) = await gateway.SampleRssAsync(http.PutAsync($"/v1/batches/{batchId}/content", content));
                var wall = clock.Elapsed;
                uploadPeakRss = Math.Max(uploadPeakRss, rss);
                var cpuUsed = gateway.CpuTime() - cpuBefore;
                var body = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine($"upload failed: {(int)response.StatusCode} {body}");
                    return 1;
                }
                Console.WriteLine($"  body sent {sent.Elapsed.TotalSeconds:F2} s, answered {(wall - sent.Elapsed).TotalSeconds:F2} s later");
                Console.WriteLine($"run {run + 1}: {wall.TotalSeconds:F2} s, Gateway CPU {cpuUsed.TotalSeconds:F2} s, peak RSS {rss / 1048576.0:F0} MB");
                runs.Add((wall, cpuUsed, body));
                await ScannedAsync(batchId);
            }

            batchId = await OpenBatchAsync(http);
            {
                var cpuBefore = gateway.CpuTime();
                var clock = Stopwatch.StartNew();
                var ((response, commit, _), rss) = await gateway.SampleRssAsync(SessionUploadAsync(http, batchId, corpus));
                var wall = clock.Elapsed;
                var cpuUsed = gateway.CpuTime() - cpuBefore;
                uploadPeakRss = Math.Max(uploadPeakRss, rss);
                var body = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode)
                {
                    Console.Error.WriteLine($"session upload failed: {(int)response.StatusCode} {body}");
                    return 1;
                }
                Console.WriteLine($"session run {run + 1}: {wall.TotalSeconds:F2} s ({wall / runs[^1].Wall:F2}× the PUT before it), Gateway CPU {cpuUsed.TotalSeconds:F2} s, peak RSS {rss / 1048576.0:F0} MB");
                sessionRuns.Add((wall, commit, cpuUsed, body));
                await ScannedAsync(batchId);
            }

            batchId = await OpenBatchAsync(http);
            {
                var clock = Stopwatch.StartNew();
                var (response, _, _) = await SessionUploadAsync(http, batchId, corpus, digests);
                response.EnsureSuccessStatusCode();
                prehashedRuns.Add(clock.Elapsed);
                Console.WriteLine($"session run {run + 1}, digests worked out beforehand: {clock.Elapsed.TotalSeconds:F2} s ({clock.Elapsed / runs[^1].Wall:F2}× the PUT)");
                await ScannedAsync(batchId);
            }
        }
        // The vendorgate CLI as a vendor runs it: the local check, then gzip through a session, then the commit.
        if (quick)
        {
            var (put, session, prehashed) = (Median(runs.Select(r => r.Wall)), Median(sessionRuns.Select(r => r.Wall)), Median(prehashedRuns));
            Console.WriteLine($"QUICK: PUT {put.TotalSeconds:F2} s, sessions {session.TotalSeconds:F2} s ({session / put:F2}×; digests worked out beforehand {prehashed.TotalSeconds:F2} s, {prehashed / put:F2}×; medians of {repeats}), same digest: "
                + $"{JsonDocument.Parse(sessionRuns[0].Receipt).RootElement.GetProperty("digest").GetString() == JsonDocument.Parse(runs[0].Receipt).RootElement.GetProperty("digest").GetString()}");
            Directory.Delete(dataDir, recursive: true);
            return 0;
        }
        var key = http.DefaultRequestHeaders.Authorization!.Parameter!;
        var configDir = Path.Combine(workDir, "cli-" + Guid.NewGuid().ToString("N")[..8]);
        string[] Upload(string idempotencyKey) => ["upload", corpus, "--justification", "Benchmark: the reference corpus through the CLI", "--license", "CC-BY-4.0",
            .. ReferenceCorpus.Domains.SelectMany(d => new[] { "--domain", d }), "--idempotency-key", idempotencyKey, "--json"];
        var (cliCode, cliOut, cliWall) = await Measure.CliAsync(gateway.Address, key, configDir, Upload("bench-cli-" + Guid.NewGuid()));
        if (cliCode != 0)
        {
            Console.Error.WriteLine($"vendorgate upload failed (exit {cliCode}): {cliOut}");
            return 1;
        }
        var cli = JsonDocument.Parse(cliOut).RootElement;
        var totalBlocks = cli.GetProperty("blocksSent").GetInt32();
        Console.WriteLine($"vendorgate upload: {cliWall.TotalSeconds:F2} s, {totalBlocks} block(s), {cli.GetProperty("bytesSent").GetInt64() / 1e6:F0} MB sent (gzip)");
        await WaitForScanAsync(http, cli.GetProperty("batchId").GetGuid());
        // Interrupted at half its blocks (the process killed), then run again.
        var resumeKey = "bench-resume-" + Guid.NewGuid();
        await Measure.CliAsync(gateway.Address, key, configDir, Upload(resumeKey),
            killAt: line => line.StartsWith("block ", StringComparison.Ordinal) && int.Parse(line.Split(' ')[2]) >= totalBlocks / 2);
        var (resumeCode, resumeOut, resumeWall) = await Measure.CliAsync(gateway.Address, key, configDir, Upload(resumeKey));
        if (resumeCode != 0)
        {
            Console.Error.WriteLine($"vendorgate upload (resumed) failed (exit {resumeCode}): {resumeOut}");
            return 1;
        }
        var resumed = JsonDocument.Parse(resumeOut).RootElement;
        var (resentBlocks, heldBlocks) = (resumed.GetProperty("blocksSent").GetInt32(), resumed.GetProperty("blocksAlreadyHeld").GetInt32());
        Directory.Delete(configDir, recursive: true);

        var (sessionUpload, sessionCommit, sessionCpu, sessionReceipt) = sessionRuns.OrderBy(r => r.Wall).ElementAt(1);
        var (upload, cpu, receipt) = runs.OrderBy(r => r.Wall).ElementAt(1);
        var sameDigest = JsonDocument.Parse(sessionReceipt).RootElement.GetProperty("digest").GetString() == JsonDocument.Parse(receipt).RootElement.GetProperty("digest").GetString();
        var peakMb = uploadPeakRss / (1024.0 * 1024.0);
        var lifetimePeakMb = gateway.PeakRssBytes() / (1024.0 * 1024.0);
        var ratio = upload / sha;
        Console.WriteLine($"receipt: {receipt}");
        Console.WriteLine();
        Console.WriteLine("| measure | value | target |");
        Console.WriteLine("| --- | --- | --- |");
        Console.WriteLine($"| upload {count:N0} examples over HTTP (median of 3) | {upload.TotalSeconds:F2} s ({size / 1e6 / upload.TotalSeconds:F0} MB/s) | |");
        Console.WriteLine($"| Gateway CPU during the upload | {cpu.TotalSeconds:F2} s ({cpu / upload:F2} cores) | |");
        Console.WriteLine($"| sha256sum of the same file | {sha.TotalSeconds:F2} s | |");
        Console.WriteLine($"| ratio | {ratio:F2}× | ≤ 2.0× {(ratio <= 2.0 ? "(met)" : "(NOT met)")} |");
        var sessionRatio = sessionUpload / upload;
        Console.WriteLine($"| the same through an upload session (blocks, three in flight, commit; median of 3) | {sessionUpload.TotalSeconds:F2} s, {sessionRatio:F2}× the single PUT, same digest: {(sameDigest ? "yes" : "NO")} | ≤ 1.10× {(sessionRatio <= 1.10 ? "(met)" : "(NOT met)")} |");
        Console.WriteLine($"| … of which the commit (what is left after ingesting as the blocks arrived) | {sessionCommit.TotalSeconds:F2} s | |");
        var prehashedRatio = Median(prehashedRuns) / upload;
        Console.WriteLine($"| the same, the blocks' SHA-256 worked out before the clock starts (a vendor's machine hashes them, not the Gateway's; median of 3) | {Median(prehashedRuns).TotalSeconds:F2} s, {prehashedRatio:F2}× the single PUT | ≤ 1.10× {(prehashedRatio <= 1.10 ? "(met)" : "(NOT met)")} |");
        Console.WriteLine($"| Gateway CPU during the session upload | {sessionCpu.TotalSeconds:F2} s ({sessionCpu / sessionUpload:F2} cores), {(sessionCpu - cpu).TotalSeconds:+0.00;-0.00} s beside the single PUT | |");
        var cliRatio = cliWall / upload;
        var cliDigest = cli.GetProperty("digest").GetString() == JsonDocument.Parse(receipt).RootElement.GetProperty("digest").GetString();
        Console.WriteLine($"| `vendorgate upload` (local check, gzip, session, commit; one run) | {cliWall.TotalSeconds:F2} s, {cliRatio:F2}× the single PUT, {cliWall / sha:F2}× sha256sum, same digest: {(cliDigest ? "yes" : "NO")} | |");
        Console.WriteLine($"| resumed after a kill at half its {totalBlocks} blocks | {resentBlocks} sent, {heldBlocks} already held, {resumeWall.TotalSeconds:F2} s, same digest: {(resumed.GetProperty("digest").GetString() == cli.GetProperty("digest").GetString() ? "yes" : "NO")} | ≤ the missing half + 1 {(resentBlocks <= totalBlocks - totalBlocks / 2 + 1 ? "(met)" : "(NOT met)")} |");
        Console.WriteLine($"| Gateway peak RSS during the uploads (VmRSS every 20 ms) | {peakMb:F0} MB | ≤ 512 MB {(peakMb <= 512 ? "(met)" : "(NOT met)")} |");
        Console.WriteLine($"| Gateway peak RSS over the whole run, scans of 4 batches included (VmHWM) | {lifetimePeakMb:F0} MB | |");
        Directory.Delete(dataDir, recursive: true);
        return 0;
    }

    /// <summary>A body read through to its end: how long from the first read to the end.</summary>
    private sealed class SentClock(Stream inner) : Stream
    {
        private long _started;
        public TimeSpan Elapsed { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Ended(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Ended(await inner.ReadAsync(buffer, cancellationToken));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Ended(int n)
        {
            if (_started == 0)
            {
                _started = Stopwatch.GetTimestamp();
            }
            if (n == 0 && Elapsed == TimeSpan.Zero)
            {
                Elapsed = Stopwatch.GetElapsedTime(_started);
            }
            return n;
        }
    }

    /// <summary>Blocks in flight at a time, as the CLI sends them.</summary>
    private const int InFlight = 3;

    private static TimeSpan Median(IEnumerable<TimeSpan> times)
    {
        var sorted = times.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    internal static async Task UploadAsync(HttpClient http, Guid batchId, string path)
    {
        await using var file = File.OpenRead(path);
        var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        (await http.PutAsync($"/v1/batches/{batchId}/content", content)).EnsureSuccessStatusCode();
    }

    /// <summary>Uploads <paramref name="path"/> through an upload session as the CLI does: the next blocks are read and
    /// hashed (pooled buffers) while three are in flight, each with its Content-Digest; then the commit, whose response is
    /// returned.</summary>
    private static async Task<(HttpResponseMessage Response, TimeSpan Commit, int BlockSize)> SessionUploadAsync(HttpClient http, Guid batchId, string path,
        IReadOnlyList<string>? digests = null)
    {
        var started = Stopwatch.GetTimestamp();
        var session = await Post(http, $"/v1/batches/{batchId}/uploads", new { });
        var (id, blockSize) = (session.GetProperty("id").GetGuid(), session.GetProperty("blockSize").GetInt32());
        using var file = File.OpenHandle(path);
        var length = RandomAccess.GetLength(file);
        var blocks = (int)((length + blockSize - 1) / blockSize);
        var ready = System.Threading.Channels.Channel.CreateBounded<(int N, byte[] Buffer, int Length, string Digest)>(InFlight);
        var reading = Task.Run(async () =>
        {
            for (var n = 0; n < blocks; n++)
            {
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(blockSize);
                var size = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, (int)Math.Min(blockSize, length - (long)n * blockSize)), (long)n * blockSize);
                var digest = digests?[n] ?? Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(buffer.AsSpan(0, size)));
                await ready.Writer.WriteAsync((n, buffer, size, digest));
            }
            ready.Writer.Complete();
        });
        await Parallel.ForEachAsync(ready.Reader.ReadAllAsync(), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (block, ct) =>
        {
            var content = new ByteArrayContent(block.Buffer, 0, block.Length);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.TryAddWithoutValidation("Content-Digest", $"sha-256=:{block.Digest}:");
            (await http.PutAsync($"/v1/batches/{batchId}/uploads/{id}/blocks/{block.N}", content, ct)).EnsureSuccessStatusCode();
            System.Buffers.ArrayPool<byte>.Shared.Return(block.Buffer);
        });
        await reading;
        var blocksDone = Stopwatch.GetElapsedTime(started);
        var commit = await http.PostAsync($"/v1/batches/{batchId}/uploads/{id}/commit", null);
        var committed = Stopwatch.GetElapsedTime(started) - blocksDone;
        Console.WriteLine($"  blocks {blocksDone.TotalSeconds:F2} s, commit {committed.TotalSeconds:F2} s");
        return (commit, committed, blockSize);
    }

    /// <summary>The SHA-256 (base64) of each block of <paramref name="blockSize"/> of the file.</summary>
    private static List<string> BlockDigests(string path, int blockSize)
    {
        using var file = File.OpenRead(path);
        var buffer = new byte[blockSize];
        var digests = new List<string>();
        while (file.ReadAtLeast(buffer, blockSize, throwOnEndOfStream: false) is var n and > 0)
        {
            digests.Add(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(buffer.AsSpan(0, n))));
        }
        return digests;
    }

    internal static async Task WaitForScanAsync(HttpClient http, Guid batchId)
    {
        while (true)
        {
            var batch = await http.GetFromJsonAsync<JsonElement>($"/v1/batches/{batchId}");
            if (batch.GetProperty("status").GetString() is not ("received" or "scanning"))
            {
                return;
            }
            await Task.Delay(200);
        }
    }

    internal static async Task AuthenticateAsync(HttpClient http, string dataDir)
    {
        var admin = (await File.ReadAllTextAsync(Path.Combine(dataDir, "bootstrap-admin.key"))).Trim();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var vendor = await Post(http, "/v1/vendors", new { name = "bench-vendor", jurisdiction = "DE", contactEmail = "bench@example.com" });
        var procurement = await Post(http, "/v1/staff", new { name = "bench-procurement", roles = new[] { "procurement" } });
        using (var asProcurement = new HttpClient { BaseAddress = http.BaseAddress })
        {
            asProcurement.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await EnrolAsync(http, procurement.GetProperty("id").GetString()!));
            await Post(asProcurement, $"/v1/vendors/{vendor.GetProperty("id")}/exceptions",
                new { reason = "Benchmark vendor: no evidence on file", expiresAt = DateTimeOffset.UtcNow.AddDays(1) });
        }
        var annotator = await Post(http, $"/v1/vendors/{vendor.GetProperty("id")}/annotators", new { handle = "bench-annotator" });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await EnrolAsync(http, annotator.GetProperty("id").GetString()!));
    }

    /// <summary>The principal's own first key: the admin's invitation, redeemed with no other credential.</summary>
    internal static async Task<string> EnrolAsync(HttpClient admin, string principalId)
    {
        var invitation = (await Post(admin, $"/v1/principals/{principalId}/invitations", new { })).GetProperty("invitation").GetString();
        using var anonymous = new HttpClient { BaseAddress = admin.BaseAddress };
        return (await Post(anonymous, "/v1/invitations/redeem", new { invitation })).GetProperty("token").GetString()!;
    }

    /// <summary>Opens a batch; while the Gateway's scans are behind (503 <c>scans-behind</c>), waits as its
    /// <c>Retry-After</c> asks, as a client should.</summary>
    internal static async Task<Guid> OpenBatchAsync(HttpClient http)
    {
        var request = new
        {
            justification = "Benchmark: the one-million-example reference corpus",
            license = "CC-BY-4.0", source = "vendor", declaredDomains = ReferenceCorpus.Domains,
        };
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            var response = await http.PostAsJsonAsync("/v1/batches", request);
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter?.Delta is { } wait && DateTime.UtcNow < deadline)
            {
                await Task.Delay(wait);
                continue;
            }
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
    }

    private static async Task<JsonElement> Post(HttpClient http, string path, object body)
    {
        var response = await http.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
