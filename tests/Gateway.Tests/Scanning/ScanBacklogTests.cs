using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VendorGate.Client;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>Back-pressure on intake: while received batches would take longer than the limit to scan, a create is
/// refused with 503 and Retry-After and leaves nothing behind; once the scans catch up it succeeds.</summary>
public abstract class ScanBacklogTests<TApp>(TApp app) : IClassFixture<TApp>, IAsyncLifetime where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    /// <summary>The batches a test left received: scanned after it, passed or failed, so the class's other tests (one
    /// Gateway) start with nothing waiting.</summary>
    private readonly List<Guid> _received = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var id in _received)
        {
            await ScanAsync(id); // a batch scanned already is left alone
        }
    }

    [Fact]
    public async Task A_create_while_scans_are_behind_is_refused_with_retry_after_and_succeeds_once_they_catch_up()
    {
        app.Clock.Advance(ScanBacklog.Fresh); // a reading of this test's own: the class's tests share the Gateway
        var vendor = await _actors.NewVendorAsync();
        var key = Actors.Unique("key");
        var first = await FillTheBacklogAsync(vendor.Annotator, key);
        var batchesBefore = await CountBatchesAsync();

        var refused = await Assert.ThrowsAsync<VendorGateProblemException>(() => vendor.Annotator.CreateBatchAsync());

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "scans-behind"), (refused.Status, refused.Code));
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter); // 3 s waiting, 1 s allowed
        Assert.Equal(30, refused.Problem.GetProperty("waitingExamples").GetInt64());
        Assert.Equal(1, refused.Problem.GetProperty("waitingBatches").GetInt32());
        Assert.Equal(batchesBefore, await CountBatchesAsync()); // nothing was created
        var security = (await _actors.NewStaffAsync("security")).Client;
        var backlog = await security.Typed().GetScanBacklogAsync();
        Assert.Equal((30L, 1, 10.0, 3.0, 1.0, true), (backlog.WaitingExamples, backlog.WaitingBatches, backlog.ExamplesPerSecond, backlog.Seconds, backlog.LimitSeconds, backlog.Refusing));
        Assert.Equal([(vendor.VendorId, 30L)], backlog.Parties.Select(p => (p.Id, p.WaitingExamples)));
        // The same create again (its idempotency key) adds nothing to scan: answered as before.
        Assert.Equal(first.Id, (await vendor.Annotator.CreateBatchAsync(idempotencyKey: key)).Id);

        await ScanAsync(first.Id);
        app.Clock.Advance(ScanBacklog.Fresh);

        var admitted = await vendor.Annotator.CreateBatchAsync();
        Assert.Equal("open", admitted.Status);
    }

    [Fact]
    public async Task One_vendors_flood_turns_away_that_vendor_while_another_with_nothing_waiting_is_admitted()
    {
        app.Clock.Advance(ScanBacklog.Fresh);
        var (flooding, other) = (await _actors.NewVendorAsync(), await _actors.NewVendorAsync());
        await FillTheBacklogAsync(flooding.Annotator); // 3 s of scanning waiting, over the 1 s allowed, all of it one vendor's

        var refused = await Assert.ThrowsAsync<VendorGateProblemException>(() => flooding.Annotator.CreateBatchAsync());
        var admitted = await other.Annotator.CreateBatchAsync(); // nothing of its own waiting: under its share (1 s between the two)
        (await other.Annotator.UploadAsync(admitted.Id, ThirtyExamples())).EnsureSuccessStatusCode();
        _received.Add(admitted.Id);
        app.Clock.Advance(ScanBacklog.Fresh);
        var otherRefused = await Assert.ThrowsAsync<VendorGateProblemException>(() => other.Annotator.CreateBatchAsync()); // now over its share too

        Assert.Equal(("scans-behind", 30L), (refused.Code, refused.Problem.GetProperty("yourWaitingExamples").GetInt64()));
        Assert.Equal("open", admitted.Status);
        Assert.Equal(("scans-behind", 60L, 30L), (otherRefused.Code, otherRefused.Problem.GetProperty("waitingExamples").GetInt64(),
            otherRefused.Problem.GetProperty("yourWaitingExamples").GetInt64()));
    }

    [Fact]
    public async Task Over_the_limit_those_under_their_share_get_in_at_the_pace_the_scanners_drain()
    {
        app.Clock.Advance(ScanBacklog.Fresh);
        var flooding = await _actors.NewVendorAsync();
        await FillTheBacklogAsync(flooding.Annotator); // 30 examples, 3 s at 10 examples/s: over the 1 s allowed
        // A clock that moves only when told: which creates share a reading is the test's to say.
        var clock = new StoppedClock(app.Clock.GetUtcNow());
        var backlog = new ScanBacklog(app.Services.GetRequiredService<IServiceScopeFactory>(), app.Services.GetRequiredService<IOptions<ScanBacklogOptions>>(), clock);
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid()); // vendors with nothing waiting

        var firstAdmitted = await backlog.RefusalAsync(first, new DefaultHttpContext().Response) is null;
        var secondAdmitted = await backlog.RefusalAsync(second, new DefaultHttpContext().Response) is null; // the same reading: the first took its second of scanning
        clock.Advance(ScanBacklog.Fresh);
        var secondAdmittedLater = await backlog.RefusalAsync(second, new DefaultHttpContext().Response) is null; // a new reading, a new second

        Assert.Equal((true, false, true), (firstAdmitted, secondAdmitted, secondAdmittedLater));
    }

    /// <summary>A clock that stands still until advanced.</summary>
    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }

    [Fact]
    public async Task The_CLI_waits_while_scans_are_behind_and_uploads_once_they_catch_up_or_exits_4_with_no_wait()
    {
        app.Clock.Advance(ScanBacklog.Fresh);
        var vendor = await _actors.NewVendorAsync();
        var waiting = await FillTheBacklogAsync(vendor.Annotator);
        using var cli = new VendorGateCli(app.ListeningAddress, vendor.Annotator.DefaultRequestHeaders.Authorization!.Parameter);
        await File.WriteAllTextAsync(cli.File("examples.ndjson"), Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
        string[] upload = ["upload", cli.File("examples.ndjson"), "--justification", "Examples for the scan backlog tests", "--license", "CC-BY-4.0", "--domain", "billing", "--json"];

        var noWait = await cli.RunAsync([.. upload, "--wait", "0"]);
        var waited = await cli.RunAsync([.. upload, "--wait", "60"], line => line.Contains("scans are behind"), () => ScanAsync(waiting.Id));
        if (waited.Stdout.Length > 0 && waited.Json.TryGetProperty("batchId", out var uploaded))
        {
            _received.Add(Guid.Parse(uploaded.GetString()!));
        }

        Assert.Equal(4, noWait.Code);
        Assert.Equal("scans-behind", noWait.Json.GetProperty("error").GetProperty("code").GetString());
        Assert.True(waited.Code == 0, waited.ToString());
        Assert.Equal("received", waited.Json.GetProperty("status").GetString());
    }

    /// <summary>A batch of 30 examples, received and (no job server) waiting: 3 s of scanning at the assumed 10 examples/s,
    /// over the 1 s allowed; the clock moved on so that the next create reads the backlog again.</summary>
    private async Task<BatchView> FillTheBacklogAsync(HttpClient annotator, string? idempotencyKey = null)
    {
        var batch = await annotator.CreateBatchAsync(idempotencyKey: idempotencyKey);
        (await annotator.UploadAsync(batch.Id, ThirtyExamples())).EnsureSuccessStatusCode();
        _received.Add(batch.Id);
        app.Clock.Advance(ScanBacklog.Fresh);
        return batch;
    }

    private static string ThirtyExamples() =>
        Lines([.. Enumerable.Range(0, 30).Select(i => (object)new { prompt = Actors.Unique("p"), completion = $"c {i}" })]);

    private async Task ScanAsync(Guid batchId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ScanBatchJob>().RunAsync(batchId, CancellationToken.None);
    }

    private async Task<int> CountBatchesAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<VendorGateDb>().Batches.CountAsync();
    }
}

/// <summary>No job server (what is received waits), at most 1 s of scanning waiting, 10 examples/s assumed.</summary>
internal static class ScanBacklogSettings
{
    public static Dictionary<string, string?> Limited(Dictionary<string, string?> settings) => new(settings)
    {
        ["VendorGate:Jobs:RunServer"] = "false", ["VendorGate:Scan:Backlog:MaxSeconds"] = "1", ["VendorGate:Scan:Backlog:MinExamplesPerSecond"] = "10",
    };
}

public sealed class ScanBacklogEmbeddedGateway : EmbeddedGateway
{
    public ScanBacklogEmbeddedGateway() => UseKestrel(0); // for the CLI, run as a process

    protected override Dictionary<string, string?> Settings => ScanBacklogSettings.Limited(base.Settings);
}

public sealed class ScanBacklogProductionGateway : ProductionGateway
{
    public ScanBacklogProductionGateway() => UseKestrel(0);

    protected override Dictionary<string, string?> Settings => ScanBacklogSettings.Limited(base.Settings);
}

public sealed class ScanBacklogOnEmbedded(ScanBacklogEmbeddedGateway app) : ScanBacklogTests<ScanBacklogEmbeddedGateway>(app);

public sealed class ScanBacklogOnProduction(ScanBacklogProductionGateway app) : ScanBacklogTests<ScanBacklogProductionGateway>(app);

public sealed class ScanBacklogRateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_rate_counts_the_examples_scanned_between_the_first_and_the_last_scan_finishing()
    {
        // Finished at 0, 2 and 4 s: the 300 + 500 examples of the last two were scanned in those 4 s.
        Assert.Equal(200, ScanBacklog.Rate([(T0.AddSeconds(4), 500), (T0, 1_000), (T0.AddSeconds(2), 300)]));
    }

    [Fact]
    public void Too_few_scans_or_too_short_a_span_measure_nothing()
    {
        Assert.Equal(0, ScanBacklog.Rate([(T0, 1_000), (T0.AddSeconds(5), 1_000)]));
        Assert.Equal(0, ScanBacklog.Rate([(T0, 1_000), (T0.AddMilliseconds(400), 1_000), (T0.AddMilliseconds(900), 1_000)]));
    }
}
