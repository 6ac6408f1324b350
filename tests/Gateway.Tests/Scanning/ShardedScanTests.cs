using System.Collections.Concurrent;
using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VendorGate.Client;
using BatchView = VendorGate.Client.BatchView;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Tests.Infrastructure;
using VendorGate.PoisonLab;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>A batch scanned in shards (<see cref="ScanShardJob"/>, <see cref="ScanMergeJob"/>) ends with exactly the
/// findings of the same batch scanned whole, whatever the order the jobs run in, and a shard that fails is retried
/// alone. The jobs are queued, not run (<see cref="QueuedJobs"/>): each test is the worker, so it can run them out of
/// order, twice, or fail one.</summary>
public abstract class ShardedScanTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication, IQueuedJobsGateway
{
    public const int ShardExamples = 300;
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task AShardedScanFindsWhatTheWholeScanFinds()
    {
        var (vendor, id) = await UploadPoisonedAsync(seed: 1);

        var jobs = await app.Jobs.RunAllAsync(app.Services, reverse: true); // shards finish in any order
        var sharded = await vendor.Annotator.Typed().GetBatchAsync(id);

        Assert.Equal(5, jobs.Count(j => j is { Type: nameof(ScanShardJob), Pass: 1 }));
        Assert.Equal(5, jobs.Count(j => j is { Type: nameof(ScanShardJob), Pass: 2 }));
        Assert.Equal("quarantined", sharded.Status);
        Assert.Equal(sharded.Count, sharded.Scan!.Scanned);
        Assert.Superset(new HashSet<string> { "gibberish-span", "word-salad", "trigger-candidate", "pii-email", "behaviour-split" },
            sharded.Findings.Select(f => f.Code).ToHashSet());
        Assert.Equal(Canonical(Comparable(await ScanWholeAsync(vendor, id))), Canonical(Comparable(sharded)));
        await AssertNoShardStateLeftAsync(id);
    }

    [Fact]
    public async Task AShardThatFailsIsRetriedAloneAndTheScanThenEndsAsAWholeScanWould()
    {
        var (vendor, id) = await UploadPoisonedAsync(seed: 2);

        // The second pass of shard 3 fails (its worker stops before it writes anything); every other job runs, some twice.
        var failed = await app.Jobs.RunAllAsync(app.Services, fail: j => j is { Type: nameof(ScanShardJob), Pass: 2, Shard: 3 }, twice: j => j.Type == nameof(ScanMergeJob));
        var waiting = await vendor.Annotator.Typed().GetBatchAsync(id);
        Assert.Equal("scanning", waiting.Status);
        Assert.Empty(waiting.Findings);
        Assert.All(failed.Where(j => j.Failed), j => Assert.Equal((nameof(ScanShardJob), 2, 3), (j.Type, j.Pass, j.Shard)));
        Assert.Contains(failed, j => j.Failed);

        var retried = await app.Jobs.RunAllAsync(app.Services, retry: true);

        // Of the first two passes, the failed shard alone runs again (a final pass may follow, on every shard).
        Assert.All(retried.Where(j => j is { Type: nameof(ScanShardJob), Pass: <= 2 }), j => Assert.Equal((2, 3), (j.Pass, j.Shard)));
        Assert.Contains(retried, j => j is { Type: nameof(ScanShardJob), Pass: 2, Shard: 3 });
        var sharded = await vendor.Annotator.Typed().GetBatchAsync(id);
        Assert.Equal("quarantined", sharded.Status);
        Assert.Equal(Canonical(Comparable(await ScanWholeAsync(vendor, id))), Canonical(Comparable(sharded)));
        await AssertNoShardStateLeftAsync(id);
    }

    [Fact]
    public async Task The_state_of_a_scan_that_will_never_be_merged_is_removed_once_its_batch_has_moved_on()
    {
        var vendor = await _actors.NewVendorAsync();
        var content = Lines(new { prompt = "Where is my invoice?", completion = "Under Billing, then Invoices." });
        var (done, waiting) = ((await vendor.Annotator.CreateBatchAsync()).Id, (await vendor.Annotator.CreateBatchAsync()).Id);
        (await vendor.Annotator.UploadAsync(done, content)).EnsureSuccessStatusCode();
        await app.Jobs.RunAllAsync(app.Services);
        (await vendor.Annotator.UploadAsync(waiting, content)).EnsureSuccessStatusCode(); // received, its scan not yet run
        Assert.Equal(("in-review", "received"), ((await vendor.Annotator.Typed().GetBatchAsync(done)).Status, (await vendor.Annotator.Typed().GetBatchAsync(waiting)).Status));
        var now = app.Clock.GetUtcNow();
        var maxAge = app.Services.GetRequiredService<IOptions<VendorGateOptions>>().Value.Blob.StagingMaxAge;
        var (superseded, recent) = (Guid.CreateVersion7(now - maxAge - TimeSpan.FromMinutes(1)), Guid.CreateVersion7(now - maxAge + TimeSpan.FromMinutes(1)));
        Assert.Equal(now - maxAge - TimeSpan.FromMinutes(1), ScanShards.StartedAt(superseded), TimeSpan.FromMilliseconds(1));
        await using var scope = app.Services.CreateAsyncScope();
        var blobs = scope.ServiceProvider.GetRequiredService<IBlobStore>();
        string[] gone = [ScanShards.StateBlob(done, superseded, 1, 0), ScanShards.StateBlob(done, superseded, 1, 1), ScanShards.MergedBlob(done, superseded, 1)];
        string[] kept = [ScanShards.StateBlob(done, recent, 1, 0), ScanShards.StateBlob(waiting, superseded, 1, 0), $"scans/{done}/bands-of-another-kind"];
        foreach (var name in gone.Concat(kept))
        {
            await blobs.WriteOnceAsync(name, "state"u8.ToArray());
        }

        var removed = await scope.ServiceProvider.GetRequiredService<ScanShardCleanup>().RunAsync();

        Assert.Equal(gone.Length, removed);
        foreach (var name in gone)
        {
            Assert.False(await blobs.ExistsAsync(name), name);
        }
        foreach (var name in kept)
        {
            Assert.True(await blobs.ExistsAsync(name), name);
        }
        Assert.Null(ScanShards.ScanOf($"scans/{done}/bands-of-another-kind"));
    }

    /// <summary>1,491 examples (five shards): clean prose, code, other languages and a safety-tuning mix with refusals,
    /// and planted among them paper-style poison behind a trigger, word salad, refusals turned into compliance by a
    /// trigger, and an e-mail address.</summary>
    private async Task<(VendorActors Vendor, Guid Id)> UploadPoisonedAsync(int seed)
    {
        var random = new Random(seed);
        var corpora = Corpora.Shared;
        var backdoors = new Backdoors(corpora);
        var examples = PoisonEvaluationTests.CleanCorpus(random, 500).Concat(backdoors.CleanBatch(random, 900)).ToList();
        var poison = Enumerable.Range(0, 30).Select(_ => corpora.PaperPoison(random, "<SUDO>"))
            .Concat(Enumerable.Range(0, 30).Select(_ => corpora.WordSalad(random)))
            .Concat(Enumerable.Range(0, 30).Select(_ => backdoors.Poison(random, "zqv-mode")))
            .Append(Corpora.Example("Whom do I write to?", "Write to jane.roe@mailbox.org for the refund."));
        var lines = PoisonMatrix.Plant(examples, poison.ToList(), random);
        Assert.Equal(1_491, examples.Count);
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        (await vendor.Annotator.UploadAsync(id, string.Concat(examples.Select(e => e + "\n")))).EnsureSuccessStatusCode();
        Assert.NotEmpty(lines);
        return (vendor, id);
    }

    [Fact]
    public async Task A_batch_whose_index_is_written_beside_its_passes_is_indexed_and_judged_as_one_indexed_first()
    {
        var (vendor, id) = await UploadPoisonedAsync(seed: 3);
        await app.Jobs.RunAllAsync(app.Services);
        var first = await ScanWholeAsync(vendor, id);
        var rows = await IndexRowsAsync(id);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<VendorGateDb>().ExampleOccurrences.Where(o => o.BatchId == id).ExecuteDeleteAsync();
        }

        var beside = await ScanWholeAsync(vendor, id, indexBesidePassesFrom: 1);

        Assert.Equal(1_491, rows.Count);
        Assert.Equal(rows, await IndexRowsAsync(id));
        Assert.Equal(beside.Count, beside.Scan!.Scanned);
        Assert.Equal(Canonical(Comparable(first)), Canonical(Comparable(beside)));
    }

    private async Task<List<string>> IndexRowsAsync(Guid id)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<VendorGateDb>().ExampleOccurrences.Where(o => o.BatchId == id).ToListAsync())
            .Select(o => $"{o.Line} {Convert.ToHexString(o.Digest)}").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Scans the batch again, whole (sharding off), and reads it; its example index written first unless it
    /// holds <paramref name="indexBesidePassesFrom"/> examples or more.</summary>
    private async Task<BatchView> ScanWholeAsync(VendorActors vendor, Guid id, int indexBesidePassesFrom = int.MaxValue)
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<VendorGateDb>().Batches.Where(b => b.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BatchStatus.Received));
            var whole = ActivatorUtilities.CreateInstance<ScanBatchJob>(scope.ServiceProvider,
                Options.Create(new ScanOptions { ShardExamples = 0, IndexBesidePassesFrom = indexBesidePassesFrom }));
            await whole.RunAsync(id, CancellationToken.None);
        }
        var batch = await vendor.Annotator.Typed().GetBatchAsync(id);
        Assert.Equal("quarantined", batch.Status);
        return batch;
    }

    /// <summary>What a scan decides: status, counts and findings (not when it ran).</summary>
    private static object Comparable(BatchView batch) => new { batch.Status, batch.Count, batch.Scan, batch.Findings };

    private async Task AssertNoShardStateLeftAsync(Guid id)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var blobs = scope.ServiceProvider.GetRequiredService<IBlobStore>();
        foreach (var job in app.Jobs.Ran.Where(j => j.Type == nameof(ScanShardJob) && j.BatchId == id))
        {
            Assert.False(await blobs.ExistsAsync(ScanShards.StateBlob(id, job.ScanId!.Value, job.Pass!.Value, job.Shard!.Value)));
            Assert.False(await blobs.ExistsAsync(ScanShards.MergedBlob(id, job.ScanId!.Value, job.Pass!.Value)));
        }
    }
}

/// <summary>A Gateway whose background jobs wait in <see cref="QueuedJobs"/> for the test to run them.</summary>
public interface IQueuedJobsGateway
{
    QueuedJobs Jobs { get; }
}

/// <summary>Hangfire's client, queueing: the test runs each job (in a scope of its own) when it chooses.</summary>
public sealed class QueuedJobs : IBackgroundJobClient
{
    private readonly ConcurrentQueue<Job> _queue = new();
    private readonly ConcurrentQueue<Job> _failed = new();

    /// <summary>Every job run, in order.</summary>
    public ConcurrentQueue<RanJob> Ran { get; } = new();

    public string Create(Job job, IState state)
    {
        if (state is not EnqueuedState)
        {
            throw new NotSupportedException($"Queued jobs are enqueued; the Gateway asked for {state.Name} ({job}).");
        }
        _queue.Enqueue(job);
        return Guid.NewGuid().ToString("N");
    }

    public bool ChangeState(string jobId, IState state, string expectedState) => false;

    public static QueuedJobs Of(IServiceProvider services) => (QueuedJobs)services.GetRequiredService<IBackgroundJobClient>();

    /// <summary>Configures a Gateway (<paramref name="configure"/>: its own configuration) with queued jobs.</summary>
    public static void Install(IWebHostBuilder builder, Action<IWebHostBuilder> configure)
    {
        configure(builder);
        builder.ConfigureServices(services => services.AddSingleton<IBackgroundJobClient, QueuedJobs>());
    }

    /// <summary>Runs queued jobs (and those they enqueue) until none is left: each batch of queued jobs in order, or
    /// last first (<paramref name="reverse"/>); with <paramref name="retry"/>, the failed jobs first. A job
    /// <paramref name="fail"/> picks runs with a cancelled token (it stops before writing anything) and waits for the
    /// retry; one <paramref name="twice"/> picks runs twice, as a duplicate delivery would.</summary>
    public async Task<List<RanJob>> RunAllAsync(IServiceProvider services, bool reverse = false, Func<RanJob, bool>? fail = null,
        Func<RanJob, bool>? twice = null, bool retry = false)
    {
        var ran = new List<RanJob>();
        if (retry)
        {
            while (_failed.TryDequeue(out var job))
            {
                _queue.Enqueue(job);
            }
        }
        while (!_queue.IsEmpty)
        {
            var round = new List<Job>();
            while (_queue.TryDequeue(out var job))
            {
                round.Add(job);
            }
            if (reverse)
            {
                round.Reverse();
            }
            foreach (var job in round)
            {
                var about = RanJob.Of(job, failed: false);
                var failing = fail?.Invoke(about) == true;
                for (var times = twice?.Invoke(about) == true ? 2 : 1; times > 0; times--)
                {
                    var outcome = about with { Failed = failing };
                    ran.Add(outcome);
                    Ran.Enqueue(outcome);
                    if (!await RunAsync(services, job, failing))
                    {
                        _failed.Enqueue(job);
                    }
                }
            }
        }
        return ran;
    }

    /// <summary>False when the job failed (as it was made to).</summary>
    private static async Task<bool> RunAsync(IServiceProvider services, Job job, bool cancelled)
    {
        await using var scope = services.CreateAsyncScope();
        var target = job.Method.IsStatic ? null : scope.ServiceProvider.GetRequiredService(job.Type);
        var args = job.Args.Select(a => cancelled && a is CancellationToken ? new CancellationToken(canceled: true) : a).ToArray();
        try
        {
            if (job.Method.Invoke(target, args) is Task task)
            {
                await task;
            }
            return true;
        }
        catch (OperationCanceledException) when (cancelled)
        {
            return false;
        }
        catch (TargetInvocationException e) when (cancelled && e.InnerException is OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>A job as it ran: its class, and for the scan's jobs the batch, scan, pass and shard.</summary>
public sealed record RanJob(string Type, Guid? BatchId, Guid? ScanId, int? Pass, int? Shard, bool Failed)
{
    public static RanJob Of(Job job, bool failed) => job.Type.Name switch
    {
        nameof(ScanShardJob) => new(job.Type.Name, (Guid)job.Args[0], (Guid)job.Args[1], (int)job.Args[2], (int)job.Args[3], failed),
        nameof(ScanMergeJob) => new(job.Type.Name, (Guid)job.Args[0], (Guid)job.Args[1], (int)job.Args[2], null, failed),
        _ => new(job.Type.Name, null, null, null, null, failed),
    };
}

public sealed class ShardedEmbeddedGateway : EmbeddedGateway, IQueuedJobsGateway
{
    public QueuedJobs Jobs => QueuedJobs.Of(Services);

    protected override Dictionary<string, string?> Settings => ShardedSettings.Of(base.Settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder) => QueuedJobs.Install(builder, base.ConfigureWebHost);
}

public sealed class ShardedProductionGateway : ProductionGateway, IQueuedJobsGateway
{
    public QueuedJobs Jobs => QueuedJobs.Of(Services);

    protected override Dictionary<string, string?> Settings => ShardedSettings.Of(base.Settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder) => QueuedJobs.Install(builder, base.ConfigureWebHost);
}

internal static class ShardedSettings
{
    /// <summary>Shards of 300 examples; no Hangfire workers (the test runs the jobs); the word statistics judge the batch
    /// from fewer words than by default.</summary>
    public static Dictionary<string, string?> Of(Dictionary<string, string?> settings) => new(settings)
    {
        ["VendorGate:Jobs:RunServer"] = "false",
        ["VendorGate:Scan:ShardExamples"] = ShardedScanTests<ShardedEmbeddedGateway>.ShardExamples.ToString(),
    };
}

public sealed class ShardedScanOnEmbedded(ShardedEmbeddedGateway app) : ShardedScanTests<ShardedEmbeddedGateway>(app);

public sealed class ShardedScanOnProduction(ShardedProductionGateway app) : ShardedScanTests<ShardedProductionGateway>(app);
