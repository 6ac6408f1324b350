using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Client;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Scanning;

public abstract class ScanJobTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task AFailedScanLeavesTheBatchScanningAndARetryFinishesIt()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        await vendor.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
        await vendor.Annotator.WaitForScanAsync(id);
        string indexBlob;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
            indexBlob = (await db.Batches.SingleAsync(b => b.Id == id)).IndexBlob!;
            // As if the scan had never run, and the index were unreachable.
            await db.Batches.Where(b => b.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(b => b.Status, BatchStatus.Received).SetProperty(b => b.IndexBlob, "quarantine/missing.index"));
        }

        await Assert.ThrowsAsync<BlobNotFoundException>(() => RunScanAsync(id));

        var stuck = await vendor.Annotator.Typed().GetBatchAsync(id);
        Assert.Equal("scanning", stuck.Status);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<VendorGateDb>().Batches.Where(b => b.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.IndexBlob, indexBlob));
        }
        await RunScanAsync(id);
        Assert.Equal("in-review", (await vendor.Annotator.Typed().GetBatchAsync(id)).Status);
    }

    [Fact]
    public async Task RunningTheScanAgainChangesNothing()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        var example = new { prompt = Actors.Unique("p"), completion = "c" };
        await vendor.Annotator.UploadAsync(id, Lines(example, example, example, example, example)); // five times: blocks
        var before = await vendor.Annotator.WaitForScanAsync(id);

        await RunScanAsync(id);

        var after = await vendor.Annotator.Typed().GetBatchAsync(id);
        Assert.Equal("quarantined", after.Status);
        Assert.Equal(Canonical(before.Findings), Canonical(after.Findings));
        Assert.Equal(before.ScannedAt, after.ScannedAt);
    }

    [Fact]
    public async Task AReceivedBatchWhoseScanWasNeverEnqueuedIsPickedUpByTheSweep()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        await vendor.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
        await vendor.Annotator.WaitForScanAsync(id);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // As if the process had stopped right after recording the upload, two minutes ago.
            await scope.ServiceProvider.GetRequiredService<VendorGateDb>().Batches.Where(b => b.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(b => b.Status, BatchStatus.Received).SetProperty(b => b.ReceivedAt, DateTimeOffset.UtcNow.AddMinutes(-2)));
        }

        int requeued;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            requeued = await scope.ServiceProvider.GetRequiredService<StalledJobs>().RequeueAsync(StalledJobs.Grace, false, CancellationToken.None);
        }

        Assert.True(requeued >= 1);
        Assert.Equal("in-review", (await vendor.Annotator.WaitForScanAsync(id)).Status);
    }

    private async Task RunScanAsync(Guid id)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ScanBatchJob>().RunAsync(id, CancellationToken.None);
    }
}

public sealed class ScanJobOnEmbedded(EmbeddedGateway app) : ScanJobTests<EmbeddedGateway>(app);

public sealed class ScanJobOnProduction(ProductionGateway app) : ScanJobTests<ProductionGateway>(app);
