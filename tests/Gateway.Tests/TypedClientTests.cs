using System.Net;
using System.Reflection;
using System.Text.Json;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests;

/// <summary>The typed client (src/Client) matches the committed OpenAPI document, and reads what the Gateway answers.</summary>
public abstract class TypedClientTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public void Every_client_method_names_an_operation_of_the_committed_OpenAPI_document()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "VendorGate.sln")))
        {
            root = Path.GetDirectoryName(root)!;
        }
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(root, "openapi", "vendorgate.v1.json")));
        var paths = document.RootElement.GetProperty("paths");
        var operations = typeof(VendorGateClient).GetMethods().Select(m => m.GetCustomAttribute<OperationAttribute>()).OfType<OperationAttribute>().ToList();
        Assert.NotEmpty(operations);
        Assert.All(operations, o => Assert.True(paths.TryGetProperty(o.Path, out var path) && path.TryGetProperty(o.Method.ToLowerInvariant(), out _),
            $"{o.Method} {o.Path} is not in openapi/vendorgate.v1.json"));
    }

    [Fact]
    public async Task Typed_calls_read_the_Gateway_s_answers_and_refusals_are_problem_exceptions()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (securityId, security) = await _actors.NewStaffAsync("security");
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
        var version = (await maintainer.PostOk("/v1/snapshots", new { message = "typed client", batchIds = new[] { batch } })).GetProperty("version").GetString()!;
        var revocation = (await security.PostOk("/v1/revocations", new { batchId = batch, reason = "typed client: revoke one batch" })).GetProperty("id").GetGuid();

        var client = new VendorGateClient(app.CreateClient(), security.DefaultRequestHeaders.Authorization!.Parameter);
        Assert.Equal(securityId, (await client.GetMeAsync()).Id);
        Assert.Contains(version, await client.ListSnapshotsAsync().Select(s => s.Version).ToListAsync());
        var raw = await security.GetOk($"/v1/batches/{batch}");
        var typed = await client.GetBatchAsync(batch);
        Assert.Equal((vendor.VendorId, raw.GetProperty("status").GetString(), 2L), (typed.VendorId!.Value, typed.Status, typed.Count!.Value));
        Assert.Equal("approve", Assert.Single(typed.Reviews).Decision);
        Assert.Equal(raw.GetProperty("digest").GetString(), typed.Digest);
        Assert.Contains(await client.ListBatchesAsync(status: typed.Status, vendorId: vendor.VendorId).ToListAsync(), b => b.Id == batch);
        Assert.DoesNotContain(await client.ListBatchesAsync(status: "in-review", vendorId: vendor.VendorId).ToListAsync(), b => b.Id == batch);
        var read = await client.GetRevocationAsync(revocation);
        Assert.Equal((batch, securityId, "typed client: revoke one batch"), (read.BatchId!.Value, read.RequestedBy, read.Reason));
        Assert.Contains(await client.ListRevocationsAsync().ToListAsync(), r => r.Id == revocation);
        await using (var content = await client.GetSnapshotContentAsync(version))
        {
            Assert.Equal(2, (await new StreamReader(content).ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        var admin = new VendorGateClient(app.CreateClient(), app.AdminToken); // admins read the audit log
        Assert.True((await admin.VerifyAuditAsync()).Valid);
        Assert.Equal(3, (await admin.GetAuditAsync(after: 0, limit: 3)).Items.Count);

        var missing = await Assert.ThrowsAsync<VendorGateProblemException>(() => client.GetRevocationAsync(Guid.NewGuid()));
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (missing.Status, missing.Code));
        var anonymous = await Assert.ThrowsAsync<VendorGateProblemException>(() => new VendorGateClient(app.CreateClient(), null).GetMeAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
    }
}

public sealed class TypedClientOnEmbedded(EmbeddedGateway app) : TypedClientTests<EmbeddedGateway>(app);

public sealed class TypedClientOnProduction(ProductionGateway app) : TypedClientTests<ProductionGateway>(app);
