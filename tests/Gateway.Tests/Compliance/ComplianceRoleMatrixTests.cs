using System.Net;
using System.Net.Http.Json;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Compliance;

/// <summary>Every compliance endpoint against every role. Allowed writes are sent in a form that changes nothing (an
/// expiry in the past, a note too short, unknown evidence), so the matrix shows authorization, not side effects.</summary>
public abstract class ComplianceRoleMatrixTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task Every_compliance_endpoint_allows_exactly_its_roles()
    {
        var vendor = await _actors.NewVendorAsync();
        var callers = await RoleMatrix.CallersAsync(app, _actors, vendor);
        var path = $"/v1/vendors/{vendor.VendorId}";
        string[] readers = ["vendor-admin", "maintainer", "security", "procurement", "auditor", "admin"];
        MatrixRow[] endpoints =
        [
            new("GET compliance", c => c.GetAsync($"{path}/compliance"), readers, HttpStatusCode.OK),
            new("GET history", c => c.GetAsync($"{path}/compliance/history"), readers, HttpStatusCode.OK),
            new("GET evidence", c => c.GetAsync($"{path}/evidence"), readers, HttpStatusCode.OK),
            new("GET exceptions", c => c.GetAsync($"{path}/exceptions"), readers, HttpStatusCode.OK),
            new("POST exception", c => c.PostAsJsonAsync($"{path}/exceptions", new { reason = "matrix: in the past", expiresAt = DateTimeOffset.UtcNow.AddDays(-1) }),
                ["procurement"], HttpStatusCode.BadRequest),
            new("POST revocation review", c => c.PostAsJsonAsync($"{path}/revocation-reviews", new { note = "short" }), ["procurement"], HttpStatusCode.BadRequest),
            new("POST verification", c => c.PostAsJsonAsync($"{path}/evidence/{Guid.NewGuid()}/verification", new { }), ["procurement"], HttpStatusCode.NotFound),
            new("POST acknowledgement", c => c.PostAsJsonAsync($"{path}/revocation-acknowledgement", new { statement = "short" }), ["vendor-admin"], HttpStatusCode.BadRequest),
        ];

        await RoleMatrix.AssertAsync(callers, endpoints);
        var procurement = (await _actors.ProcurementAsync()).Typed();
        var compliance = await procurement.GetComplianceAsync(vendor.VendorId);
        Assert.Single((await procurement.ListComplianceExceptionsPageAsync(vendor.VendorId)).Items);
        Assert.Equal("unassessed", compliance.Status);
    }
}

public sealed class ComplianceRoleMatrixOnEmbedded(EmbeddedGateway app) : ComplianceRoleMatrixTests<EmbeddedGateway>(app);

public sealed class ComplianceRoleMatrixOnProduction(ProductionGateway app) : ComplianceRoleMatrixTests<ProductionGateway>(app);
