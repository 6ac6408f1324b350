using System.Net.Http.Json;
using System.Text;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Compliance;

/// <summary>With <c>Enforcement: warn</c>, a non-compliant vendor uploads, and its batches carry a finding saying why.</summary>
public abstract class WarnOnlyComplianceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task A_non_compliant_vendor_uploads_with_a_warning_naming_the_failing_requirements()
    {
        var vendor = await _actors.NewVendorAsync(exception: false);
        var (_, procurement) = await _actors.NewStaffAsync("procurement");
        var form = new MultipartFormDataContent
        {
            { new StringContent("soc2-type2"), "kind" }, { new StringContent("2025-01-01"), "issuedAt" }, { new StringContent("2025-12-31"), "expiresAt" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("%PDF expired")), "file", "soc2.pdf" },
        };
        var evidence = await (await procurement.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence", form)).Json<EvidenceView>();
        await (await _actors.ProcurementAsync()).PostOk<EvidenceView>($"/v1/vendors/{vendor.VendorId}/evidence/{evidence.Id}/verification", new { });
        Assert.Equal("non-compliant", (await procurement.Typed().GetComplianceAsync(vendor.VendorId)).Status);

        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        await vendor.Annotator.UploadAsync(id, Lines(Actors.Examples(2)));
        var batch = await vendor.Annotator.WaitForScanAsync(id);

        Assert.Equal("in-review", batch.Status);
        var finding = batch.Findings.Single(f => f.Code == "vendor-non-compliant");
        Assert.Equal("warn", finding.Severity);
        Assert.Contains(finding.Evidence, e => e!.StartsWith("soc2-type2: ", StringComparison.Ordinal));
    }
}

public sealed class WarnOnlyComplianceOnEmbedded(WarnOnlyEmbeddedGateway app) : WarnOnlyComplianceTests<WarnOnlyEmbeddedGateway>(app);

public sealed class WarnOnlyComplianceOnProduction(WarnOnlyProductionGateway app) : WarnOnlyComplianceTests<WarnOnlyProductionGateway>(app);
