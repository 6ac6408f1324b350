using System.Net;
using System.Net.Http.Json;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Snapshots;

/// <summary>Every endpoint of the corpus (snapshots, blame, models, revocations) against every role: allowed, or the
/// right 401/403 problem. Allowed writes are sent in a form that changes nothing (an unapproved batch, an unknown
/// snapshot or annotator), so the matrix shows authorization, not side effects.</summary>
public abstract class CorpusRoleMatrixTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task EveryCorpusEndpointAllowsExactlyItsRoles()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
        var snapshot = await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "matrix", batchIds = new[] { batch } });
        var version = snapshot.Version;
        await HttpExtensions.PollAsync(() => maintainer.Typed().GetSnapshotAsync(version), s => s.Attestation.State == "signed");
        var model = Actors.Unique("m");
        await maintainer.PostOk<ModelView>("/v1/models", new { name = model, snapshotVersion = version });
        var digest = (await maintainer.GetOk<ExampleBlame>($"/v1/snapshots/{version}/examples/0")).Digest;
        var openBatch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var callers = await RoleMatrix.CallersAsync(app, _actors, vendor);
        string[] readers = ["contributor", "maintainer", "security", "auditor"];
        MatrixRow[] endpoints =
        {
            new("GET snapshots", c => c.GetAsync("/v1/snapshots"), readers, HttpStatusCode.OK),
            new("GET snapshot", c => c.GetAsync($"/v1/snapshots/{version}"), readers, HttpStatusCode.OK),
            new("GET content", c => c.GetAsync($"/v1/snapshots/{version}/content"), readers, HttpStatusCode.OK),
            new("GET manifest", c => c.GetAsync($"/v1/snapshots/{version}/manifest"), readers, HttpStatusCode.OK),
            new("GET attestation", c => c.GetAsync($"/v1/snapshots/{version}/attestation"), readers, HttpStatusCode.OK),
            new("GET diff", c => c.GetAsync($"/v1/snapshots/{version}/diff/{version}"), readers, HttpStatusCode.OK),
            new("GET blame", c => c.GetAsync($"/v1/snapshots/{version}/examples/0"), readers, HttpStatusCode.OK),
            new("GET example", c => c.GetAsync($"/v1/examples/{digest}"), readers, HttpStatusCode.OK),
            new("GET model", c => c.GetAsync($"/v1/models/{model}"), readers, HttpStatusCode.OK),
            new("GET model blame", c => c.GetAsync($"/v1/models/{model}/examples/1"), readers, HttpStatusCode.OK),
            new("GET revocation", c => c.GetAsync($"/v1/revocations/{Guid.NewGuid()}"), readers, HttpStatusCode.NotFound),
            new("POST snapshot", c => c.PostAsJsonAsync("/v1/snapshots", new { message = "m", batchIds = new[] { openBatch } }), ["maintainer"], HttpStatusCode.Conflict),
            new("POST model", c => c.PostAsJsonAsync("/v1/models", new { name = Actors.Unique("x"), snapshotVersion = "999.0" }), ["maintainer"], HttpStatusCode.BadRequest),
            new("POST revocation", c => c.PostAsJsonAsync("/v1/revocations", new { annotatorId = Guid.NewGuid(), reason = "matrix: nobody in particular" }), ["security"], HttpStatusCode.NotFound),
        };

        await RoleMatrix.AssertAsync(callers, endpoints);
        Assert.Equal("open", (await vendor.Annotator.Typed().GetBatchAsync(openBatch)).Status);
    }
}

public sealed class CorpusRoleMatrixOnEmbedded(EmbeddedGateway app) : CorpusRoleMatrixTests<EmbeddedGateway>(app);

public sealed class CorpusRoleMatrixOnProduction(ProductionGateway app) : CorpusRoleMatrixTests<ProductionGateway>(app);
