using System.Net;
using System.Net.Http.Json;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Batches;

/// <summary>A batch's whole life on a Gateway whose jobs run inline (the job-runner seam, <see cref="InlineJobs"/>):
/// every answer is final when it comes, so nothing here polls.</summary>
public sealed class InlineLifecycleTests(InlineJobsGateway app) : IClassFixture<InlineJobsGateway>
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task Scan_receipt_approval_snapshot_and_revocation_are_each_done_when_their_request_returns()
    {
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, security) = await _actors.NewStaffAsync("security");
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;

        Assert.Equal(HttpStatusCode.Accepted, (await vendor.Annotator.UploadAsync(id, Lines(Actors.Examples(3)))).StatusCode);
        var scanned = await vendor.Annotator.Typed().GetBatchAsync(id);
        Assert.Equal("in-review", scanned.Status);
        Assert.Equal("signed", scanned.Attestation!.State);

        await maintainer.Typed().ReviewBatchAsync(id, new() { Decision = "approve", Comment = "ok" });
        Assert.Equal("signed", (await vendor.Annotator.Typed().GetBatchAsync(id)).Approval!.State);

        var version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "inline", batchIds = new[] { id } })).Version!;
        Assert.Equal("signed", (await maintainer.Typed().GetSnapshotAsync(version)).Attestation.State);

        var accepted = await (await security.PostAsJsonAsync("/v1/revocations", new { batchId = id, reason = "revoked within one request" })).Json<RevocationAccepted>();
        var revocation = await security.Typed().GetRevocationAsync(accepted.Id);
        Assert.Equal("completed", revocation.Status);
        Assert.Equal("signed", revocation.Attestation!.State);
        Assert.Equal(3, revocation.RemovedCount);
        Assert.Equal("revoked", (await maintainer.Typed().GetBatchAsync(id)).Status);
        Assert.Empty(app.Jobs.Failed);
    }
}
