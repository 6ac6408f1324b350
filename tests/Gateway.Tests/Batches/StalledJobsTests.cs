using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Batches;

/// <summary>The minute sweep re-enqueues the scans and receipts whose jobs were lost, and only those: a scan still in the
/// job storage (a long queue, a long scan) is left to its job.</summary>
public abstract class StalledJobsTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task The_sweep_leaves_a_scan_still_queued_to_its_job_and_enqueues_one_whose_job_was_lost()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        (await vendor.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }))).EnsureSuccessStatusCode();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // Received two minutes ago, past the sweep's grace; no job server runs here, so its scan is still enqueued.
            await scope.ServiceProvider.GetRequiredService<VendorGateDb>().Batches.Where(b => b.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.ReceivedAt, app.Clock.GetUtcNow().AddMinutes(-2)));
        }
        var queued = ScanJobsOf(id);

        var whileQueued = await SweepAsync();
        foreach (var job in queued)
        {
            app.Services.GetRequiredService<IBackgroundJobClient>().Delete(job); // as if the queue had lost it
        }
        var onceLost = await SweepAsync();

        Assert.Single(queued);
        Assert.Equal(0, whileQueued); // neither the scan nor the receipt (also still enqueued) again
        Assert.Equal(1, onceLost);
        Assert.Single(ScanJobsOf(id));
    }

    private async Task<int> SweepAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StalledJobs>().RequeueAsync(StalledJobs.Grace, includeScanning: false, CancellationToken.None);
    }

    /// <summary>The ids of the enqueued scan jobs of <paramref name="batchId"/>, on every queue.</summary>
    private List<string> ScanJobsOf(Guid batchId)
    {
        var monitor = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        return [.. monitor.Queues().SelectMany(q => monitor.EnqueuedJobs(q.Name, 0, 1_000))
            .Where(j => j.Value.State == Hangfire.States.EnqueuedState.StateName && j.Value.Job?.Type == typeof(ScanBatchJob) && j.Value.Job.Args[0] is Guid g && g == batchId).Select(j => j.Key)];
    }
}

internal static class StalledJobsSettings
{
    public static Dictionary<string, string?> NoJobServer(Dictionary<string, string?> settings) => new(settings) { ["VendorGate:Jobs:RunServer"] = "false" };
}

public sealed class NoJobServerEmbeddedGateway : EmbeddedGateway
{
    protected override Dictionary<string, string?> Settings => StalledJobsSettings.NoJobServer(base.Settings);
}

public sealed class NoJobServerProductionGateway : ProductionGateway
{
    protected override Dictionary<string, string?> Settings => StalledJobsSettings.NoJobServer(base.Settings);
}

public sealed class StalledJobsOnEmbedded(NoJobServerEmbeddedGateway app) : StalledJobsTests<NoJobServerEmbeddedGateway>(app);

public sealed class StalledJobsOnProduction(NoJobServerProductionGateway app) : StalledJobsTests<NoJobServerProductionGateway>(app);
