using System.Net;
using System.Text;
using VendorGate.Client;
using VendorGate.Gateway.Identity;
using Roles = VendorGate.Gateway.Identity.Roles;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Client;

/// <summary>The typed client (src/Client) carries a batch from opening to revocation, and reads what the Gateway answers.</summary>
public abstract class TypedClientTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task A_batch_goes_from_opening_to_snapshot_blame_and_revocation_through_typed_calls()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainerHttp) = await _actors.NewStaffAsync(Roles.Maintainer);
        var (securityId, securityHttp) = await _actors.NewStaffAsync(Roles.Security);
        var (annotator, maintainer, security) = (vendor.Annotator.Typed(), maintainerHttp.Typed(), securityHttp.Typed());

        var opened = await annotator.CreateBatchAsync(new()
        {
            Justification = "Typed client: billing dialogues", License = "CC-BY-4.0", Source = "vendor", DeclaredDomains = ["billing"],
        });
        Assert.Equal(("open", vendor.AnnotatorId), (opened.Status, opened.Submitter.Id));
        using var content = new StringContent(HttpExtensions.Lines(Actors.Examples(3)), Encoding.UTF8, "application/x-ndjson");
        var receipt = await annotator.UploadBatchContentAsync(opened.Id, content);
        Assert.Equal(3, receipt.Count);
        var scanned = await HttpExtensions.PollAsync(() => annotator.GetBatchAsync(opened.Id), b => b.Status == "in-review" && b.Attestation?.State == "signed", "scan and receipt");
        Assert.Equal(receipt.Digest, scanned.Digest);
        Assert.Equal(3, (await annotator.ListBatchExamplesAsync(opened.Id)).Items.Count);

        var approved = await maintainer.ReviewBatchAsync(opened.Id, new() { Decision = "approve", Comment = "typed" });
        Assert.Equal("approve", Assert.Single(approved.Reviews).Decision);
        await HttpExtensions.PollAsync(() => annotator.GetBatchAsync(opened.Id), b => b.Approval?.State == "signed", "the approval");
        Assert.Contains(await maintainer.ListBatchesAsync(status: "approved", vendorId: vendor.VendorId).ToListAsync(), b => b.Id == opened.Id);
        Assert.DoesNotContain(await maintainer.ListBatchesAsync(status: "in-review", vendorId: vendor.VendorId).ToListAsync(), b => b.Id == opened.Id);

        var snapshot = await maintainer.CutSnapshotAsync(new() { Message = "typed client", BatchIds = [opened.Id] });
        Assert.Equal(3, snapshot.Count);
        Assert.Contains(snapshot.Version, await maintainer.ListSnapshotsAsync().Select(s => s.Version).ToListAsync());
        await using (var ndjson = await maintainer.GetSnapshotContentAsync(snapshot.Version))
        {
            Assert.Equal("application/x-ndjson", ndjson.MediaType);
            Assert.Equal(3, (await new StreamReader(ndjson.Content).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        var blame = await maintainer.BlameSnapshotExampleAsync(snapshot.Version, snapshot.Count - 1);
        Assert.Equal((vendor.AnnotatorId, opened.Id), (blame.Blame.Annotator.Id, blame.Blame.Batch.Id));

        var accepted = await security.RevokeAsync(new() { BatchId = opened.Id, Reason = "typed client: revoke one batch" });
        var revocation = await HttpExtensions.PollAsync(() => security.GetRevocationAsync(accepted.Id), r => r.Status == "completed", "the revocation");
        Assert.Equal((opened.Id, securityId, 3L), (revocation.BatchId, revocation.RequestedBy, revocation.RemovedCount));
        Assert.Contains(await security.ListRevocationsAsync().ToListAsync(), r => r.Id == accepted.Id);

        var admin = new VendorGateClient(app.CreateClient(), app.AdminToken) { PageSize = 7 }; // admins read the audit log; small pages exercise paging
        Assert.True((await admin.VerifyAuditAsync()).Valid);
        var audit = await admin.ListAllAuditAsync().ToListAsync();
        Assert.Equal(audit.Select(e => e.Seq).Distinct().Count(), audit.Count);
        Assert.Contains(audit, e => e.Action == "revocation.complete" && e.Target == $"revocation:{accepted.Id}");
    }

    [Fact]
    public async Task Refusals_are_problem_exceptions_with_the_Gateway_s_code_and_field_errors()
    {
        var vendor = await _actors.NewVendorAsync();
        var annotator = vendor.Annotator.Typed();

        var missing = await Assert.ThrowsAsync<VendorGateProblemException>(() => annotator.GetBatchAsync(Guid.NewGuid()));
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (missing.Status, missing.Code));
        var invalid = await Assert.ThrowsAsync<VendorGateProblemException>(() => annotator.CreateBatchAsync(new()
        {
            Justification = "", License = "CC-BY-4.0", Source = "vendor", DeclaredDomains = ["billing"],
        }));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Contains("Justification", invalid.Errors.Keys);
        var forbidden = await Assert.ThrowsAsync<VendorGateProblemException>(() => annotator.CutSnapshotAsync(new() { Message = "not mine to cut" }));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        var anonymous = await Assert.ThrowsAsync<VendorGateProblemException>(() => new VendorGateClient(app.CreateClient(), null).GetMeAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.False(string.IsNullOrWhiteSpace(anonymous.Detail));
    }
}

public sealed class TypedClientOnEmbedded(EmbeddedGateway app) : TypedClientTests<EmbeddedGateway>(app);

public sealed class TypedClientOnProduction(ProductionGateway app) : TypedClientTests<ProductionGateway>(app);
