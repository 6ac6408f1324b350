using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace VendorGate.Benchmarks;

/// <summary>
/// Issue 17's load figures: V vendors, each uploading batches of 1,000 lines back to back for S seconds, against one or
/// more Gateway processes (plus worker processes that only run jobs) on the embedded default or on PostgreSQL + Azurite
/// (bench.sh starts them and passes their connection strings in VG_BENCH_POSTGRES and VG_BENCH_AZURITE). Prints the
/// batches accepted, the errors, the accept latency, the creates deferred while scans were behind (503 scans-behind:
/// each vendor waits as Retry-After asks and tries again, not an error), how long after intake stopped the last batch was
/// scanned, and the batches lost (accepted, then missing or never scanned).
/// </summary>
public static class LoadBenchmark
{
    public sealed record Options(int Vendors, int Seconds, int Gateways, int Workers, bool Production, int Lines)
    {
        public static Options Parse(IEnumerable<string> args)
        {
            var values = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            int Int(string key, int fallback) => values.TryGetValue(key, out var v) ? int.Parse(v) : fallback;
            var backend = values.GetValueOrDefault("backend", "embedded");
            if (backend is not ("embedded" or "production"))
            {
                throw new ArgumentException("backend is embedded or production");
            }
            var options = new Options(Int("vendors", 50), Int("seconds", 60), Int("gateways", 1), Int("workers", 0), backend == "production", Int("lines", 1000));
            if (!options.Production && (options.Gateways > 1 || options.Workers > 0))
            {
                throw new ArgumentException("the embedded default (SQLite, filesystem) is one process: gateways=1 workers=0, or backend=production");
            }
            return options;
        }
    }

    /// <summary>One create + upload: the batch (null: refused), how long it took, when it started (since intake began),
    /// and the error.</summary>
    private sealed record Upload(Guid? Batch, double Milliseconds, string? Error)
    {
        public TimeSpan Started { get; init; }

        /// <summary>Of <see cref="Milliseconds"/>, the create's.</summary>
        public double CreateMilliseconds { get; init; }

        /// <summary>The create was deferred (503 <c>scans-behind</c> or <c>intake-busy</c>, <see cref="DeferredBy"/>): try
        /// again after this long. Not an error.</summary>
        public TimeSpan? RetryAfter { get; init; }

        public string? DeferredBy { get; init; }

        /// <summary>When the first attempt at this batch started: earlier than <see cref="Started"/> if creates were deferred.</summary>
        public TimeSpan FirstAttempt { get; init; }

        public double FromFirstAttemptMilliseconds => (Started - FirstAttempt).TotalMilliseconds + Milliseconds;
    }

    public static async Task<int> RunAsync(string gatewayDll, Options o, string workDir)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var dataDir = Path.Combine(workDir, "load-data-" + run);
        var environment = GatewayProcess.SettingsFromEnvironment(); // GATEWAY_X=v: X=v for every Gateway and worker
        Console.WriteLine($"Gateway settings: {(environment.Count == 0 ? "none" : string.Join(", ", environment.Select(s => $"{s.Key}={s.Value}")))}");
        if (o.Production)
        {
            environment["ConnectionStrings__Postgres"] = Required("VG_BENCH_POSTGRES") + $";Database=vgload_{run}";
            environment["VendorGate__Blob__ConnectionString"] = Required("VG_BENCH_AZURITE");
            environment["VendorGate__Blob__Container"] = "load" + run;
        }
        // With worker processes, the Gateways that take the uploads run no jobs.
        var gatewayEnvironment = new Dictionary<string, string>(environment);
        if (o.Workers > 0)
        {
            gatewayEnvironment["VendorGate__Jobs__RunServer"] = "false";
        }
        Console.WriteLine($"starting {o.Gateways} Gateway(s){(o.Workers > 0 ? $" and {o.Workers} worker(s)" : "")} on {(o.Production ? "PostgreSQL + Azurite" : "the embedded default")}...");
        var processes = new List<GatewayProcess> { await GatewayProcess.StartAsync(gatewayDll, dataDir, gatewayEnvironment) }; // migrates, bootstraps
        processes.AddRange(await Task.WhenAll(Enumerable.Range(1, o.Gateways - 1).Select(_ => GatewayProcess.StartAsync(gatewayDll, dataDir, gatewayEnvironment))
            .Concat(Enumerable.Range(0, o.Workers).Select(_ => GatewayProcess.StartAsync(gatewayDll, dataDir, environment)))));
        var gateways = processes.Take(o.Gateways).ToList();
        try
        {
            var api = new CorpusBenchmark.Api(gateways[0].Address, (await File.ReadAllTextAsync(Path.Combine(dataDir, "bootstrap-admin.key"))).Trim());
            var staff = await api.StaffAsync("security");
            var procurement = await api.StaffAsync("procurement");
            Console.WriteLine($"enrolling {o.Vendors} vendors with an annotator each...");
            var handlers = gateways.Select(g => new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }).ToList();
            var vendors = new List<HttpClient>();
            for (var v = 0; v < o.Vendors; v++)
            {
                var vendor = (await api.Post(api.Admin, "/v1/vendors", new { name = $"load-{v}", jurisdiction = "DE", contactEmail = $"v{v}@example.com" })).GetProperty("id").GetString()!;
                await api.Post(procurement, $"/v1/vendors/{vendor}/exceptions",
                    new { reason = "Load benchmark vendor: no evidence on file", expiresAt = DateTimeOffset.UtcNow.AddDays(1) });
                var (_, annotator) = await api.AnnotatorAsync(vendor, $"load-{v}");
                var client = new HttpClient(handlers[v % gateways.Count], disposeHandler: false)
                {
                    BaseAddress = gateways[v % gateways.Count].Address, Timeout = TimeSpan.FromMinutes(5),
                };
                client.DefaultRequestHeaders.Authorization = annotator.DefaultRequestHeaders.Authorization;
                vendors.Add(client);
            }
            var pool = File.ReadAllLines(ReferenceCorpus.Ensure(Path.Combine(workDir, "load-pool-20000.ndjson"), 20_000, seed: 17));

            Console.WriteLine($"{o.Vendors} vendors uploading {o.Lines:N0}-line batches for {o.Seconds} s...");
            var uploads = new ConcurrentBag<Upload>();
            var deferrals = new ConcurrentDictionary<string, int>();
            var clock = Stopwatch.StartNew();
            var stopAt = TimeSpan.FromSeconds(o.Seconds);
            await Task.WhenAll(vendors.Select((client, v) => Task.Run(async () =>
            {
                for (var n = 0; clock.Elapsed < stopAt; n++)
                {
                    var (content, first) = (Content(pool, v, n, o.Lines), clock.Elapsed);
                    var started = first;
                    while (clock.Elapsed < stopAt)
                    {
                        var upload = await UploadAsync(client, content) with { Started = started, FirstAttempt = first };
                        if (upload.RetryAfter is not { } wait)
                        {
                            uploads.Add(upload);
                            break;
                        }
                        // The Gateway's scans are behind, or it is receiving all it can: wait as asked, with a little
                        // jitter as clients do, so the vendors told the same second do not all come back in the same millisecond.
                        deferrals.AddOrUpdate(upload.DeferredBy!, 1, (_, n) => n + 1);
                        await Task.Delay(wait + TimeSpan.FromMilliseconds(Random.Shared.Next(250)));
                        started = clock.Elapsed;
                    }
                }
            })));
            var intake = clock.Elapsed;
            // Printed before the wait for the scans, which can be long (and with no job server, endless): accepted
            // batches and their accept latency by when the upload started, so a fresh process's warm-up shows, and the
            // create's part of it.
            Console.WriteLine($"intake stopped: {uploads.Count(u => u.Batch is not null):N0} accepted in {intake.TotalSeconds:F1} s, "
                + $"{uploads.Count(u => u.Batch is null)} error(s), {deferrals.Values.Sum():N0} create(s) deferred ({string.Join(", ", deferrals.Select(d => $"{d.Value:N0} {d.Key}"))}); accept latency by start (p50 / p99 / max):");
            foreach (var period in uploads.Where(u => u.Batch is not null).GroupBy(u => (int)(u.Started.TotalSeconds / 5)).OrderBy(g => g.Key))
            {
                var times = period.Select(u => u.Milliseconds).Order().ToList();
                var creates = period.Select(u => u.CreateMilliseconds).Order().ToList();
                Console.WriteLine($"  {period.Key * 5,3}-{period.Key * 5 + 5,3} s: {times.Count,5:N0} accepted, {Percentile(times, 0.5):F0} / {Percentile(times, 0.99):F0} / {times[^1]:F0} ms"
                    + $" (the create: {Percentile(creates, 0.5):F0} / {Percentile(creates, 0.99):F0} / {creates[^1]:F0} ms)");
            }
            // Where the tail is: a fresh process's first uploads (every vendor's first starts at once) or spread over the run.
            var over = uploads.Where(u => u.Batch is not null && u.Milliseconds > 1000).ToList();
            Console.WriteLine($"  over 1 s: {over.Count:N0} uploads, {over.Count(u => u.Started < TimeSpan.FromSeconds(2)):N0} of them started in the first 2 s");
            Console.WriteLine("waiting for the scans...");

            var lag = await ScanLagAsync(staff, intake, clock);
            var accepted = uploads.Where(u => u.Batch is not null).ToList();
            var lost = await LostAsync(staff, accepted.Select(u => u.Batch!.Value));
            var latencies = accepted.Select(u => u.Milliseconds).Order().ToList();
            // Once warm: uploads started after the first 15 s (a fresh process compiles its hot paths under the load).
            var warm = accepted.Where(u => u.Started >= WarmAfter).Select(u => u.Milliseconds).Order().ToList();
            var withWaits = accepted.Select(u => u.FromFirstAttemptMilliseconds).Order().ToList();
            var errors = uploads.Where(u => u.Error is not null).GroupBy(u => u.Error!).OrderByDescending(g => g.Count()).ToList();

            Console.WriteLine();
            Console.WriteLine($"| {o.Vendors} vendors × {o.Seconds} s, {o.Gateways} Gateway(s) + {o.Workers} worker(s), {(o.Production ? "PostgreSQL + Azurite" : "embedded")} | measured | target |");
            Console.WriteLine("| --- | --- | --- |");
            Console.WriteLine($"| batches accepted ({o.Lines:N0} lines each) | {accepted.Count:N0} in {intake.TotalSeconds:F1} s ({accepted.Count / intake.TotalSeconds:F1}/s, {accepted.Count * (long)o.Lines:N0} examples) | |");
            Console.WriteLine($"| errors | {uploads.Count - accepted.Count}{(errors.Count > 0 ? " (" + string.Join(", ", errors.Select(g => $"{g.Count()}× {g.Key}")) + ")" : "")} | 0 {Met(uploads.Count == accepted.Count)} |");
            if (latencies.Count > 0)
            {
                Console.WriteLine($"| accept (create + upload) p50 / p99 | {Percentile(latencies, 0.5):F0} ms / {Percentile(latencies, 0.99):F0} ms | p99 ≤ 1 s {Met(Percentile(latencies, 0.99) <= 1000)} |");
            }
            Console.WriteLine($"| creates deferred (503, tried again after Retry-After) | {deferrals.GetValueOrDefault("scans-behind"):N0} scans-behind, "
                + $"{deferrals.GetValueOrDefault("intake-busy"):N0} intake-busy, for {accepted.Count(u => u.Started > u.FirstAttempt):N0} of the accepted batches | |");
            if (withWaits.Count > 0)
            {
                Console.WriteLine($"| … from the first attempt, the waits included, p50 / p99 | {Percentile(withWaits, 0.5):F0} ms / {Percentile(withWaits, 0.99):F0} ms | |");
            }
            if (warm.Count > 0)
            {
                Console.WriteLine($"| … of uploads started after the first {WarmAfter.TotalSeconds:F0} s (warm) | {Percentile(warm, 0.5):F0} ms / {Percentile(warm, 0.99):F0} ms ({warm.Count:N0} uploads) | |");
            }
            Console.WriteLine(lag is { } l
                ? $"| scans done after intake stopped | {l.TotalSeconds:F1} s ({accepted.Count / (intake + l).TotalSeconds:F1} batches/s scanned over the run) | ≤ 30 s {Met(l.TotalSeconds <= 30)} |"
                : "| scans done after intake stopped | not within 15 min | ≤ 30 s (NOT met) |");
            Console.WriteLine($"| batches lost (accepted, then missing or not scanned) | {lost} | 0 {Met(lost == 0)} |");
            foreach (var (process, i) in processes.Select((p, i) => (p, i)))
            {
                Console.WriteLine($"| peak RSS, {(i < o.Gateways ? $"Gateway {i + 1}" : $"worker {i - o.Gateways + 1}")} | {process.PeakRssBytes() / 1048576.0:F0} MB | |");
            }
            return 0;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
            Directory.Delete(dataDir, recursive: true);
        }
    }

    internal static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set (bash scripts/bench.sh load backend=production sets it)");

    private static string Met(bool met) => met ? "(met)" : "(NOT met)";

    /// <summary>Batch <paramref name="n"/> of vendor <paramref name="v"/>: lines of the pool, each made unique to it.</summary>
    private static byte[] Content(string[] pool, int v, int n, int lines)
    {
        var text = new StringBuilder(lines * 700);
        var start = (v * 7919 + n * lines) % pool.Length;
        for (var i = 0; i < lines; i++)
        {
            text.Append(pool[(start + i) % pool.Length].Replace("\"Request 17-", $"\"Request v{v}b{n}-")).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static readonly TimeSpan WarmAfter = TimeSpan.FromSeconds(15);

    private static double Percentile(List<double> sorted, double p) => sorted[(int)(sorted.Count * p)];

    private static async Task<Upload> UploadAsync(HttpClient vendor, byte[] content)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var created = await vendor.PostAsJsonAsync("/v1/batches", new
            {
                justification = "Load benchmark: many vendors uploading at once",
                license = "CC-BY-4.0", source = "vendor", declaredDomains = ReferenceCorpus.Domains,
            });
            if (created.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && created.Headers.RetryAfter?.Delta is { } retryAfter
                && await ProblemCodeAsync(created) is var deferredBy && deferredBy is "scans-behind" or "intake-busy")
            {
                return new Upload(null, 0, null) { RetryAfter = retryAfter, DeferredBy = deferredBy };
            }
            if (!created.IsSuccessStatusCode)
            {
                return new Upload(null, 0, $"create {(int)created.StatusCode} {await ProblemCodeAsync(created)}");
            }
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var create = clock.Elapsed.TotalMilliseconds;
            var body = new ByteArrayContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            var uploaded = await vendor.PutAsync($"/v1/batches/{id}/content", body);
            return uploaded.IsSuccessStatusCode
                ? new Upload(id, clock.Elapsed.TotalMilliseconds, null) { CreateMilliseconds = create }
                : new Upload(null, 0, $"upload {(int)uploaded.StatusCode} {await ProblemCodeAsync(uploaded)}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Upload(null, 0, e.GetType().Name);
        }
    }

    private static async Task<string> ProblemCodeAsync(HttpResponseMessage response)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            return problem.TryGetProperty("code", out var code) ? code.GetString() ?? "" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>How long after <paramref name="intake"/> no batch was left received or scanning; null if not within 15 minutes.</summary>
    private static async Task<TimeSpan?> ScanLagAsync(HttpClient staff, TimeSpan intake, Stopwatch clock)
    {
        while (clock.Elapsed - intake < TimeSpan.FromMinutes(15))
        {
            var waiting = 0;
            foreach (var status in new[] { "received", "scanning" })
            {
                waiting += (await staff.GetFromJsonAsync<JsonElement>($"/v1/batches?status={status}&limit=1")).GetProperty("items").GetArrayLength();
            }
            if (waiting == 0)
            {
                return clock.Elapsed - intake;
            }
            await Task.Delay(250);
        }
        return null;
    }

    /// <summary>Accepted batches that are now missing, or were never scanned.</summary>
    private static async Task<int> LostAsync(HttpClient staff, IEnumerable<Guid> accepted)
    {
        var lost = 0;
        await Parallel.ForEachAsync(accepted, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            var response = await staff.GetAsync($"/v1/batches/{id}", ct);
            var status = response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString() : null;
            if (status is null or "open" or "received" or "scanning")
            {
                Interlocked.Increment(ref lost);
            }
        });
        return lost;
    }
}
