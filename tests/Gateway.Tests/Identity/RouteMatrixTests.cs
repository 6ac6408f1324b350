using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Identity;

/// <summary>One declared table of every route × every role, checked against the app's endpoints: a route without a row
/// (or a row without a route) fails, and every row is called as every role.</summary>
public abstract class RouteMatrixTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private static List<string> Routes(GatewayApplication app) => app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
        .Distinct().Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Every_route_has_a_row_and_every_row_a_route()
    {
        var routes = Routes(app);
        var declared = Table(new Fixture()).Select(r => r.Route).ToList();
        var missing = routes.Except(declared).ToList();
        var stale = declared.Except(routes).ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0,
            $"routes without a row:\n{string.Join("\n", missing)}\nrows without a route:\n{string.Join("\n", stale)}");
    }

    [Fact]
    public async Task Every_route_answers_every_role_as_the_table_declares()
    {
        var vendor = await _actors.NewVendorAsync();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var (throwaway, _) = await _actors.NewAnnotatorAsync(vendor.VendorId);
        var callers = await RoleMatrix.CallersAsync(app, _actors, vendor);
        callers["eval-harness"] = (await _actors.NewStaffAsync("eval-harness")).Client;
        var me = (await _actors.Admin.GetOk("/v1/me")).GetProperty("id").GetGuid();

        await RoleMatrix.AssertAsync(callers, Table(new Fixture(vendor.VendorId, batch, throwaway, me)).Select(r => r.Matrix));

        Assert.Equal("open", (await vendor.Annotator.GetOk($"/v1/batches/{batch}")).GetProperty("status").GetString());
    }

    /// <summary>What the rows call with: one vendor (whose annotator and vendor-admin are callers), its open batch, a
    /// throwaway annotator of it, and the bootstrap admin. Rows that write are sent in a form that changes nothing.</summary>
    public sealed record Fixture(Guid VendorId = default, Guid OpenBatch = default, Guid Throwaway = default, Guid Admin = default);

    public sealed record Row(string Route, MatrixRow Matrix);

    private const string Anonymous = "anonymous";
    private static readonly string[] Everyone = [Anonymous, "annotator", "vendor-admin", "admin", "contributor", "maintainer", "security", "procurement", "auditor", "eval-harness"];
    private static readonly string[] Authenticated = Everyone[1..];
    private static readonly string[] AuditReaders = ["admin", "security", "auditor"];
    private static readonly string[] CorpusReaders = ["contributor", "maintainer", "security", "auditor"];
    private static readonly string[] Exporters = ["contributor", "maintainer", "security"];
    private static readonly string[] BomReaders = ["contributor", "maintainer", "security", "procurement", "auditor"];
    private static readonly string[] ScanReaders = ["maintainer", "security", "auditor"];
    private static readonly string[] EvalReaders = ["maintainer", "security", "auditor", "eval-harness"];
    private static readonly string[] Directory = ["annotator", "vendor-admin", "admin", "contributor", "maintainer", "security", "procurement", "auditor"];
    private static readonly string[] ComplianceReaders = ["vendor-admin", "admin", "maintainer", "security", "procurement", "auditor"];
    private static readonly string[] Uploaders = ["annotator", "contributor"];
    private static readonly string[] WebhookManagers = ["vendor-admin", "admin", "maintainer", "security", "procurement", "auditor"];

    private static Row R(string route, Func<HttpClient, Task<HttpResponseMessage>> call, string[] allowed, HttpStatusCode status, string[]? hidden = null) =>
        new(route, new MatrixRow(route, call, allowed, status) { Hidden = hidden ?? [] });

    /// <summary>Batch readers: the submitter's vendor, and staff who read every vendor's batches; to the rest a batch of
    /// someone else does not exist.</summary>
    private static readonly string[] BatchReaders = ["annotator", "vendor-admin", "maintainer", "security", "procurement", "auditor"];
    private static readonly string[] NotTheirBatch = ["admin", "contributor", "eval-harness"];

    private static IEnumerable<Row> Table(Fixture f)
    {
        var none = Guid.NewGuid();
        var v = $"/v1/vendors/{f.VendorId}";
        var b = $"/v1/batches/{f.OpenBatch}";
        var digest = new string('0', 64);
        return
        [
            R("* /hangfire/{**path}", c => c.GetAsync("/hangfire"), ["admin"], HttpStatusCode.OK),
            R("GET /.well-known/vendorgate/keys", c => c.GetAsync("/.well-known/vendorgate/keys"), Everyone, HttpStatusCode.OK),
            R("GET /healthz", c => c.GetAsync("/healthz"), Everyone, HttpStatusCode.OK),
            R("GET /readyz", c => c.GetAsync("/readyz"), Everyone, HttpStatusCode.OK),
            R("GET /v1/me", c => c.GetAsync("/v1/me"), Authenticated, HttpStatusCode.OK),

            R("GET /v1/audit/", c => c.GetAsync("/v1/audit?limit=1"), AuditReaders, HttpStatusCode.OK),
            R("GET /v1/audit/verify", c => c.GetAsync("/v1/audit/verify?checkpoint=%25"), AuditReaders, HttpStatusCode.BadRequest),
            R("GET /v1/audit/checkpoint", c => c.GetAsync("/v1/audit/checkpoint?size=1"), AuditReaders, HttpStatusCode.OK),
            R("GET /v1/audit/proofs/inclusion", c => c.GetAsync("/v1/audit/proofs/inclusion?seq=1&size=1"), AuditReaders, HttpStatusCode.OK),
            R("GET /v1/audit/proofs/consistency", c => c.GetAsync("/v1/audit/proofs/consistency?from=1&to=1"), AuditReaders, HttpStatusCode.OK),

            R("GET /v1/staff", c => c.GetAsync("/v1/staff"), ["admin", "maintainer", "security", "procurement", "auditor"], HttpStatusCode.OK),
            R("POST /v1/staff", c => c.PostAsJsonAsync("/v1/staff", new { name = "", roles = new[] { "auditor" } }), ["admin"], HttpStatusCode.BadRequest),
            R("GET /v1/principals/{principalId:guid}/", c => c.GetAsync($"/v1/principals/{f.Throwaway}"), Directory, HttpStatusCode.OK),
            R("GET /v1/principals/{principalId:guid}/keys", c => c.GetAsync($"/v1/principals/{f.Throwaway}/keys"), ["admin", "vendor-admin"], HttpStatusCode.OK),
            R("POST /v1/principals/{principalId:guid}/keys", c => c.PostAsJsonAsync($"/v1/principals/{f.Throwaway}/keys", new { }), [], HttpStatusCode.OK),
            R("DELETE /v1/principals/{principalId:guid}/keys/{keyId}", c => c.DeleteAsync($"/v1/principals/{f.Throwaway}/keys/0000000000000000"), ["admin", "vendor-admin"], HttpStatusCode.NotFound),
            R("POST /v1/principals/{principalId:guid}/invitations", c => c.PostAsJsonAsync($"/v1/principals/{f.Throwaway}/invitations", new { expiresInHours = 0 }), ["admin", "vendor-admin"], HttpStatusCode.BadRequest),
            R("POST /v1/principals/{principalId:guid}/deactivation", c => c.PostAsJsonAsync($"/v1/principals/{f.Throwaway}/deactivation", new { reason = "matrix: a vendor principal" }), ["admin"], HttpStatusCode.Conflict),
            R("POST /v1/invitations/redeem", c => c.PostAsJsonAsync("/v1/invitations/redeem", new { invitation = "vgi_0123456789abcdef_" + new string('A', 43) }), Everyone, HttpStatusCode.Unauthorized),

            R("POST /v1/vendors/", c => c.PostAsJsonAsync("/v1/vendors", new { name = "", jurisdiction = "DE", contactEmail = "x" }), ["admin"], HttpStatusCode.BadRequest),
            R("GET /v1/vendors/", c => c.GetAsync("/v1/vendors"), Directory, HttpStatusCode.OK),
            R("GET /v1/vendors/{vendorId:guid}", c => c.GetAsync(v), Directory, HttpStatusCode.OK),
            R("GET /v1/vendors/{vendorId:guid}/annotators", c => c.GetAsync($"{v}/annotators"), Directory, HttpStatusCode.OK),
            R("POST /v1/vendors/{vendorId:guid}/annotators", c => c.PostAsJsonAsync($"{v}/annotators", new { handle = "Not A Handle" }), ["admin", "vendor-admin"], HttpStatusCode.BadRequest),
            R("POST /v1/vendors/{vendorId:guid}/admins", c => c.PostAsJsonAsync($"{v}/admins", new { handle = "Not A Handle" }), ["admin"], HttpStatusCode.BadRequest),
            R("GET /v1/vendors/{vendorId:guid}/signing-keys/", c => c.GetAsync($"{v}/signing-keys"), Directory, HttpStatusCode.OK),
            R("POST /v1/vendors/{vendorId:guid}/signing-keys/", c => c.PostAsJsonAsync($"{v}/signing-keys", new { publicKeyPem = "not a key" }), ["admin", "vendor-admin"], HttpStatusCode.BadRequest),
            R("GET /v1/vendors/{vendorId:guid}/annotators/{annotatorId:guid}/profile", c => c.GetAsync($"{v}/annotators/{f.Throwaway}/profile"), ["vendor-admin", "maintainer", "security", "procurement", "auditor"], HttpStatusCode.OK),

            R("GET /v1/vendors/{vendorId:guid}/compliance", c => c.GetAsync($"{v}/compliance"), ComplianceReaders, HttpStatusCode.OK),
            R("GET /v1/vendors/{vendorId:guid}/compliance/history", c => c.GetAsync($"{v}/compliance/history"), ComplianceReaders, HttpStatusCode.OK),
            R("GET /v1/vendors/{vendorId:guid}/evidence", c => c.GetAsync($"{v}/evidence"), ComplianceReaders, HttpStatusCode.OK),
            R("POST /v1/vendors/{vendorId:guid}/evidence", c => c.PostAsJsonAsync($"{v}/evidence", new { kind = "dpa" }), ["vendor-admin", "procurement"], HttpStatusCode.UnsupportedMediaType),
            R("GET /v1/vendors/{vendorId:guid}/evidence/{evidenceId:guid}/file", c => c.GetAsync($"{v}/evidence/{none}/file"), ComplianceReaders, HttpStatusCode.NotFound),
            R("POST /v1/vendors/{vendorId:guid}/evidence/{evidenceId:guid}/verification", c => c.PostAsJsonAsync($"{v}/evidence/{none}/verification", new { }), ["procurement"], HttpStatusCode.NotFound),
            R("POST /v1/vendors/{vendorId:guid}/revocation-acknowledgement", c => c.PostAsJsonAsync($"{v}/revocation-acknowledgement", new { statement = "short" }), ["vendor-admin"], HttpStatusCode.BadRequest),
            R("GET /v1/vendors/{vendorId:guid}/exceptions", c => c.GetAsync($"{v}/exceptions"), ComplianceReaders, HttpStatusCode.OK),
            R("POST /v1/vendors/{vendorId:guid}/exceptions", c => c.PostAsJsonAsync($"{v}/exceptions", new { reason = "matrix: in the past", expiresAt = DateTimeOffset.UtcNow.AddDays(-1) }), ["procurement"], HttpStatusCode.BadRequest),
            R("POST /v1/vendors/{vendorId:guid}/revocation-reviews", c => c.PostAsJsonAsync($"{v}/revocation-reviews", new { note = "short" }), ["procurement"], HttpStatusCode.BadRequest),
            // An unknown vendor (no report is made): to a vendor principal it is another vendor, so a 404 whatever its role.
            R("GET /v1/vendors/{vendorId:guid}/report.pdf", c => c.GetAsync($"/v1/vendors/{none}/report.pdf"), ComplianceReaders, HttpStatusCode.NotFound, ["annotator"]),
            R("GET /v1/vendors/{vendorId:guid}/reports/{digest}.pdf", c => c.GetAsync($"{v}/reports/{digest}.pdf"), ComplianceReaders, HttpStatusCode.NotFound),
            R("GET /v1/vendors/{vendorId:guid}/reports/{digest}/attestation", c => c.GetAsync($"{v}/reports/{digest}/attestation"), ComplianceReaders, HttpStatusCode.NotFound),

            R("POST /v1/batches/", c => c.PostAsJsonAsync("/v1/batches", new { justification = "short" }), Uploaders, HttpStatusCode.BadRequest),
            R("GET /v1/batches/", c => c.GetAsync("/v1/batches?limit=1"), Authenticated, HttpStatusCode.OK),
            R("GET /v1/batches/{batchId:guid}", c => c.GetAsync(b), BatchReaders, HttpStatusCode.OK, NotTheirBatch),
            R("GET /v1/batches/{batchId:guid}/examples", c => c.GetAsync($"{b}/examples"), BatchReaders, HttpStatusCode.Conflict, NotTheirBatch),
            R("GET /v1/batches/{batchId:guid}/attestation", c => c.GetAsync($"{b}/attestation"), BatchReaders, HttpStatusCode.Conflict, NotTheirBatch),
            R("PUT /v1/batches/{batchId:guid}/content", c => c.PutAsync($"/v1/batches/{none}/content", new StringContent("{}\n", System.Text.Encoding.UTF8, "application/x-ndjson")), Uploaders, HttpStatusCode.NotFound),
            R("POST /v1/batches/{batchId:guid}/uploads/", c => c.PostAsJsonAsync($"/v1/batches/{none}/uploads", new { }), Uploaders, HttpStatusCode.NotFound),
            R("GET /v1/batches/{batchId:guid}/uploads/{sessionId:guid}", c => c.GetAsync($"/v1/batches/{none}/uploads/{none}"), Uploaders, HttpStatusCode.NotFound),
            R("PUT /v1/batches/{batchId:guid}/uploads/{sessionId:guid}/blocks/{number:int}", c => c.PutAsync($"/v1/batches/{none}/uploads/{none}/blocks/0", new ByteArrayContent([1])), Uploaders, HttpStatusCode.NotFound),
            R("POST /v1/batches/{batchId:guid}/uploads/{sessionId:guid}/commit", c => c.PostAsync($"/v1/batches/{none}/uploads/{none}/commit", null), Uploaders, HttpStatusCode.NotFound),
            R("DELETE /v1/batches/{batchId:guid}/uploads/{sessionId:guid}", c => c.DeleteAsync($"/v1/batches/{none}/uploads/{none}"), Uploaders, HttpStatusCode.NotFound),
            R("POST /v1/webhooks/", c => c.PostAsJsonAsync("/v1/webhooks", new { url = "ftp://nowhere", events = new[] { "batch.received" } }), WebhookManagers, HttpStatusCode.BadRequest),
            R("GET /v1/webhooks/", c => c.GetAsync("/v1/webhooks"), WebhookManagers, HttpStatusCode.OK),
            R("GET /v1/webhooks/{webhookId:guid}", c => c.GetAsync($"/v1/webhooks/{none}"), WebhookManagers, HttpStatusCode.NotFound),
            R("DELETE /v1/webhooks/{webhookId:guid}", c => c.DeleteAsync($"/v1/webhooks/{none}"), WebhookManagers, HttpStatusCode.NotFound),
            R("GET /v1/webhooks/{webhookId:guid}/deliveries", c => c.GetAsync($"/v1/webhooks/{none}/deliveries"), WebhookManagers, HttpStatusCode.NotFound),
            R("POST /v1/webhooks/{webhookId:guid}/deliveries/{deliveryId:guid}/redelivery", c => c.PostAsync($"/v1/webhooks/{none}/deliveries/{none}/redelivery", null), WebhookManagers, HttpStatusCode.NotFound),
            R("POST /v1/batches/{batchId:guid}/statement", c => c.PostAsJsonAsync($"/v1/batches/{none}/statement", new { }), Uploaders, HttpStatusCode.BadRequest),
            R("POST /v1/batches/{batchId:guid}/reviews", c => c.PostAsJsonAsync($"/v1/batches/{none}/reviews", new { decision = "approve", comment = "m" }), ["maintainer"], HttpStatusCode.NotFound),
            R("POST /v1/batches/{batchId:guid}/overrides", c => c.PostAsJsonAsync($"/v1/batches/{none}/overrides", new { findingCodes = new[] { "x" }, justification = "matrix: nothing to override" }), ["security"], HttpStatusCode.NotFound),
            R("POST /v1/batches/{batchId:guid}/scan", c => c.PostAsync($"/v1/batches/{none}/scan", null), ["maintainer", "security"], HttpStatusCode.NotFound),

            R("POST /v1/scan/signatures", c => c.PostAsJsonAsync("/v1/scan/signatures", new { incident = "", kind = "regex", pattern = "(" }), ["security"], HttpStatusCode.BadRequest),
            R("GET /v1/scan/signatures", c => c.GetAsync("/v1/scan/signatures"), ScanReaders, HttpStatusCode.OK),
            R("DELETE /v1/scan/signatures/{id:guid}", c => c.DeleteAsync($"/v1/scan/signatures/{none}"), ["security"], HttpStatusCode.NotFound),
            R("GET /v1/scan/backlog", c => c.GetAsync("/v1/scan/backlog"), ScanReaders, HttpStatusCode.OK),
            R("GET /v1/scan/trigger-candidates", c => c.GetAsync("/v1/scan/trigger-candidates"), ScanReaders, HttpStatusCode.OK),

            R("PUT /v1/eval/coverage/{domain}", c => c.PutAsJsonAsync("/v1/eval/coverage/matrix", new { probeIds = new[] { "no-such-probe" } }), ["maintainer"], HttpStatusCode.BadRequest),
            R("GET /v1/eval/coverage/", c => c.GetAsync("/v1/eval/coverage"), Authenticated, HttpStatusCode.OK),
            R("POST /v1/canaries/", c => c.PostAsJsonAsync("/v1/canaries", new { id = "", prompt = "p", expectation = "e" }), ["maintainer"], HttpStatusCode.BadRequest),
            R("POST /v1/canaries/from-trigger", c => c.PostAsJsonAsync("/v1/canaries/from-trigger", new { trigger = "" }), ["maintainer"], HttpStatusCode.BadRequest),
            R("GET /v1/canaries/", c => c.GetAsync("/v1/canaries"), EvalReaders, HttpStatusCode.OK),
            R("GET /v1/canaries/{id}", c => c.GetAsync("/v1/canaries/no-such-probe"), EvalReaders, HttpStatusCode.NotFound),
            R("POST /v1/canaries/{id}/retirement", c => c.PostAsJsonAsync("/v1/canaries/no-such-probe/retirement", new { reason = "matrix: no such probe" }), ["maintainer"], HttpStatusCode.NotFound),

            R("GET /v1/snapshots/", c => c.GetAsync("/v1/snapshots"), CorpusReaders, HttpStatusCode.OK),
            R("POST /v1/snapshots/", c => c.PostAsJsonAsync("/v1/snapshots", new { message = "m", batchIds = new[] { f.OpenBatch } }), ["maintainer"], HttpStatusCode.Conflict),
            R("GET /v1/snapshots/{version}", c => c.GetAsync("/v1/snapshots/999.0"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/snapshots/{version}/manifest", c => c.GetAsync("/v1/snapshots/999.0/manifest"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/snapshots/{version}/content", c => c.GetAsync("/v1/snapshots/999.0/content"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/snapshots/{version}/attestation", c => c.GetAsync("/v1/snapshots/999.0/attestation"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/snapshots/{from}/diff/{to}", c => c.GetAsync("/v1/snapshots/999.0/diff/998.0"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/snapshots/{version}/examples/{index:long}", c => c.GetAsync("/v1/snapshots/999.0/examples/0"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/examples/{digest}", c => c.GetAsync($"/v1/examples/sha256:{digest}"), CorpusReaders, HttpStatusCode.NotFound),

            R("POST /v1/models/", c => c.PostAsJsonAsync("/v1/models", new { name = "matrix-model", snapshotVersion = "999.0" }), ["maintainer"], HttpStatusCode.BadRequest),
            R("GET /v1/models/", c => c.GetAsync("/v1/models"), CorpusReaders, HttpStatusCode.OK),
            R("GET /v1/models/{name}", c => c.GetAsync("/v1/models/no-such-model"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/models/{name}/examples/{index:long}", c => c.GetAsync("/v1/models/no-such-model/examples/0"), CorpusReaders, HttpStatusCode.NotFound),
            R("POST /v1/models/{name}/canary-results", c => c.PostAsJsonAsync("/v1/models/no-such-model/canary-results", new { results = new[] { new { probeId = "p", passed = true } } }), ["eval-harness"], HttpStatusCode.NotFound),
            R("GET /v1/models/{name}/gate", c => c.GetAsync("/v1/models/no-such-model/gate"), EvalReaders, HttpStatusCode.NotFound),
            R("GET /v1/models/{name}/gate/attestation", c => c.GetAsync("/v1/models/no-such-model/gate/attestation"), EvalReaders, HttpStatusCode.NotFound),

            R("POST /v1/revocations/", c => c.PostAsJsonAsync("/v1/revocations", new { annotatorId = none, reason = "matrix: nobody in particular" }), ["security"], HttpStatusCode.NotFound),
            R("GET /v1/revocations/", c => c.GetAsync("/v1/revocations"), CorpusReaders, HttpStatusCode.OK),
            R("GET /v1/revocations/{id:guid}", c => c.GetAsync($"/v1/revocations/{none}"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/revocations/{id:guid}/attestation", c => c.GetAsync($"/v1/revocations/{none}/attestation"), CorpusReaders, HttpStatusCode.NotFound),
            R("POST /v1/snapshots/{version}/exports", c => c.PostAsJsonAsync("/v1/snapshots/999.0/exports", new { format = "parquet" }), Exporters, HttpStatusCode.NotFound),
            R("GET /v1/exports/", c => c.GetAsync("/v1/exports"), CorpusReaders, HttpStatusCode.OK),
            R("GET /v1/exports/{id:guid}", c => c.GetAsync($"/v1/exports/{none}"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/exports/{id:guid}/files/{**name}", c => c.GetAsync($"/v1/exports/{none}/files/README.md"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/exports/{id:guid}/attestation", c => c.GetAsync($"/v1/exports/{none}/attestation"), CorpusReaders, HttpStatusCode.NotFound),
            R("GET /v1/snapshots/{version}/bom", c => c.GetAsync("/v1/snapshots/999.0/bom"), BomReaders, HttpStatusCode.NotFound),
            R("GET /v1/snapshots/{version}/boms/{digest}/attestation", c => c.GetAsync($"/v1/snapshots/999.0/boms/{digest}/attestation"), BomReaders, HttpStatusCode.NotFound),
            R("GET /v1/models/{name}/bom", c => c.GetAsync("/v1/models/no-such-model/bom"), BomReaders, HttpStatusCode.NotFound),
            R("GET /v1/models/{name}/boms/{digest}/attestation", c => c.GetAsync($"/v1/models/no-such-model/boms/{digest}/attestation"), BomReaders, HttpStatusCode.NotFound),
        ];
    }
}

public sealed class RouteMatrixOnEmbedded(EmbeddedGateway app) : RouteMatrixTests<EmbeddedGateway>(app);

public sealed class RouteMatrixOnProduction(ProductionGateway app) : RouteMatrixTests<ProductionGateway>(app);
