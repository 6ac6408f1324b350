using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace VendorGate.Benchmarks;

/// <summary>Issue #4's figures: cut, diff, blame and revocation on a 1,000,000-example corpus, beside git on the same files.</summary>
public static class CorpusBenchmark
{
    public static async Task<int> RunAsync(string gatewayDll, string workDir)
    {
        var bulk = ReferenceCorpus.Ensure(Path.Combine(workDir, "bulk-985000.ndjson"), 985_000, seed: 11);
        var hostileFile = ReferenceCorpus.Ensure(Path.Combine(workDir, "hostile-10000.ndjson"), 10_000, seed: 12);
        var removedFile = ReferenceCorpus.Ensure(Path.Combine(workDir, "removed-5000.ndjson"), 5_000, seed: 13);
        var addedFile = ReferenceCorpus.Ensure(Path.Combine(workDir, "added-5000.ndjson"), 5_000, seed: 14);
        var dataDir = Path.Combine(workDir, "corpus-data-" + Guid.NewGuid().ToString("N")[..8]);
        // The reference corpus is random words from a 32-word list: word salad by construction, which the scanners
        // block. This benchmark measures the corpus operations, so salad is only noted and no domain needs eval probes.
        await using var gateway = await GatewayProcess.StartAsync(gatewayDll, dataDir, new Dictionary<string, string>
        {
            ["VendorGate__Scan__Severity__word-salad"] = "info",
            ["VendorGate__Scan__EvalCoverage__MinProbes"] = "0",
        });
        var api = new Api(gateway.Address, (await File.ReadAllTextAsync(Path.Combine(dataDir, "bootstrap-admin.key"))).Trim());

        var vendor = (await api.Post(api.Admin, "/v1/vendors", new { name = "bench", jurisdiction = "DE", contactEmail = "b@example.com" })).GetProperty("id").GetString();
        await api.Post(await api.StaffAsync("procurement"), $"/v1/vendors/{vendor}/exceptions",
            new { reason = "Benchmark vendor: no evidence on file", expiresAt = DateTimeOffset.UtcNow.AddDays(1) });
        var bulkAnnotator = await api.AnnotatorAsync(vendor!, "bulk");
        var hostile = await api.AnnotatorAsync(vendor!, "hostile");
        var maintainer = await api.StaffAsync("maintainer");
        var security = await api.StaffAsync("security");

        Console.WriteLine("ingesting and approving 1,000,000 examples (985k + 10k by one annotator + 5k to be revoked)...");
        var a = await api.ApprovedBatchAsync(bulkAnnotator.Client, maintainer, bulk);
        var h = await api.ApprovedBatchAsync(hostile.Client, maintainer, hostileFile);
        var r = await api.ApprovedBatchAsync(bulkAnnotator.Client, maintainer, removedFile);

        var clock = Stopwatch.StartNew();
        var s1 = await api.Post(maintainer, "/v1/snapshots", new { message = "v1", batchIds = new[] { a, h, r } });
        var cut = clock.Elapsed;
        var v1 = s1.GetProperty("version").GetString()!;

        Console.WriteLine("second version: 5,000 removed (batch revoked), 5,000 added...");
        await api.RevokeAsync(security, new { batchId = r, reason = "benchmark: remove 5,000 examples" });
        var n = await api.ApprovedBatchAsync(bulkAnnotator.Client, maintainer, addedFile);
        var v2 = (await api.Post(maintainer, "/v1/snapshots", new { message = "v2", batchIds = new[] { n } })).GetProperty("version").GetString()!;

        var diffTimes = new List<TimeSpan>();
        JsonElement diff = default;
        for (var i = 0; i < 3; i++)
        {
            clock.Restart();
            diff = await api.Get(maintainer, $"/v1/snapshots/{v1}/diff/{v2}");
            diffTimes.Add(clock.Elapsed);
        }
        var diffTime = diffTimes.Order().ElementAt(1);
        Console.WriteLine($"diff {v1} → {v2}: +{diff.GetProperty("added")} −{diff.GetProperty("removed")}");

        var repo = Path.Combine(workDir, "git-" + Guid.NewGuid().ToString("N")[..8]);
        var (gitDiff, gitBlame, blameLine) = await GitAsync(api, maintainer, v1, v2, repo);

        var random = new Random(47);
        var latencies = new List<double>();
        for (var i = 0; i < 1000; i++)
        {
            clock.Restart();
            await api.Get(maintainer, $"/v1/snapshots/{v2}/examples/{random.Next(1_000_000)}");
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        latencies.Sort();

        clock.Restart();
        var revocation = await api.RevokeAsync(security, new { annotatorId = hostile.Id, reason = "benchmark: revoke a 10,000-example annotator" });
        var newSnapshot = revocation.GetProperty("newSnapshot").GetString();
        await api.WaitAsync(maintainer, $"/v1/snapshots/{newSnapshot}", s => s.GetProperty("attestation").GetProperty("state").GetString() == "signed");
        var revoke = clock.Elapsed;

        var peakMb = gateway.PeakRssBytes() / 1048576.0;
        Console.WriteLine();
        Console.WriteLine("| work | VendorGate | reference | target |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| cut the snapshot adding 1M examples | {cut.TotalSeconds:F2} s | | ≤ 15 s {Met(cut.TotalSeconds <= 15)} |");
        Console.WriteLine($"| diff two 1M-example snapshots (median of 3, HTTP) | {diffTime.TotalSeconds:F3} s | git diff --numstat {gitDiff.TotalSeconds:F2} s ({gitDiff / diffTime:F0}×) | ≤ 0.5 s {Met(diffTime.TotalSeconds <= 0.5)} |");
        Console.WriteLine($"| blame one example by index, 1,000 random (HTTP) | p50 {latencies[499]:F1} ms, p99 {latencies[989]:F1} ms | git blame -L {blameLine},{blameLine} {gitBlame.TotalSeconds:F2} s | p99 ≤ 20 ms {Met(latencies[989] <= 20)} |");
        Console.WriteLine($"| revoke a 10k-example annotator until the new signed snapshot | {revoke.TotalSeconds:F2} s ({revocation.GetProperty("removedCount")} removed) | | ≤ 5 s {Met(revoke.TotalSeconds <= 5)} |");
        Console.WriteLine($"| Gateway peak RSS throughout (VmHWM) | {peakMb:F0} MB | | ≤ 1 GB {Met(peakMb <= 1024)} |");
        Directory.Delete(dataDir, recursive: true);
        Directory.Delete(repo, recursive: true);
        return 0;
    }

    private static string Met(bool met) => met ? "(met)" : "(NOT met)";

    private static async Task<(TimeSpan Diff, TimeSpan Blame, int Line)> GitAsync(Api api, HttpClient reader, string v1, string v2, string repo)
    {
        Directory.CreateDirectory(repo);
        var file = Path.Combine(repo, "corpus.jsonl");
        await Git(repo, "init", "-q");
        await Git(repo, "config", "core.bigFileThreshold", "4g");
        foreach (var version in new[] { v1, v2 })
        {
            await using (var output = File.Create(file))
            await using (var content = await reader.GetStreamAsync($"/v1/snapshots/{version}/content"))
            {
                await content.CopyToAsync(output);
            }
            await Git(repo, "add", "corpus.jsonl");
            await Git(repo, "-c", "user.name=bench", "-c", "user.email=b@example.com", "commit", "-q", "-m", version);
        }
        var diff = await Git(repo, "diff", "--numstat", "HEAD~1", "HEAD");
        var line = 500_000;
        var blame = await Git(repo, "blame", "-L", $"{line},{line}", "corpus.jsonl");
        return (diff, blame, line);
    }

    private static async Task<TimeSpan> Git(string repo, params string[] args)
    {
        var start = new ProcessStartInfo("git", args) { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)}: {await process.StandardError.ReadToEndAsync()}");
        }
        return clock.Elapsed;
    }

    internal sealed class Api(Uri address, string adminToken)
    {
        public HttpClient Admin { get; } = Client(address, adminToken);

        private static HttpClient Client(Uri address, string token) => new()
        {
            BaseAddress = address, Timeout = TimeSpan.FromMinutes(10),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        };

        public async Task<JsonElement> Post(HttpClient client, string path, object body)
        {
            var response = await client.PostAsJsonAsync(path, body);
            var json = await response.Content.ReadFromJsonAsync<JsonElement>();
            return response.IsSuccessStatusCode ? json : throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {json}");
        }

        public Task<JsonElement> Get(HttpClient client, string path) => client.GetFromJsonAsync<JsonElement>(path);

        public async Task<(string Id, HttpClient Client)> AnnotatorAsync(string vendor, string handle)
        {
            var id = (await Post(Admin, $"/v1/vendors/{vendor}/annotators", new { handle })).GetProperty("id").GetString()!;
            return (id, Client(address, await IngestBenchmark.EnrolAsync(Admin, id)));
        }

        public async Task<HttpClient> StaffAsync(string role)
        {
            var id = (await Post(Admin, "/v1/staff", new { name = "bench-" + role, roles = new[] { role } })).GetProperty("id").GetString()!;
            return Client(address, await IngestBenchmark.EnrolAsync(Admin, id));
        }

        public async Task<string> ApprovedBatchAsync(HttpClient annotator, HttpClient maintainer, string file)
        {
            var id = (await Post(annotator, "/v1/batches", new
            {
                justification = "Benchmark corpus for snapshots, diff, blame and revocation",
                license = "CC-BY-4.0", source = "vendor", declaredDomains = ReferenceCorpus.Domains,
            })).GetProperty("id").GetString()!;
            await using (var stream = File.OpenRead(file))
            {
                var content = new StreamContent(stream);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                (await annotator.PutAsync($"/v1/batches/{id}/content", content)).EnsureSuccessStatusCode();
            }
            await WaitAsync(annotator, $"/v1/batches/{id}", b => b.GetProperty("status").GetString() == "in-review"
                && b.GetProperty("attestation").GetProperty("state").GetString() == "signed");
            await Post(maintainer, $"/v1/batches/{id}/reviews", new { decision = "approve", comment = "benchmark" });
            await WaitAsync(annotator, $"/v1/batches/{id}", b => b.GetProperty("approval").GetProperty("state").GetString() == "signed");
            return id;
        }

        public async Task<JsonElement> RevokeAsync(HttpClient security, object body)
        {
            var id = (await Post(security, "/v1/revocations", body)).GetProperty("id").GetString();
            return await WaitAsync(security, $"/v1/revocations/{id}", r => r.GetProperty("status").GetString() == "completed");
        }

        public async Task<JsonElement> WaitAsync(HttpClient client, string path, Func<JsonElement, bool> done)
        {
            var deadline = DateTime.UtcNow.AddMinutes(10);
            while (true)
            {
                var value = await Get(client, path);
                if (done(value))
                {
                    return value;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{path} did not reach the expected state: {value}");
                }
                await Task.Delay(50);
            }
        }
    }
}
