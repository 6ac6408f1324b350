using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Compliance;

public abstract class ComplianceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private async Task<(VendorActors Vendor, HttpClient VendorAdmin)> VendorWithAdminAsync()
    {
        var vendor = await _actors.NewVendorAsync(exception: false);
        var admin = await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendor.VendorId}/admins", new { handle = Actors.Unique("va") });
        return (vendor, app.ClientFor(await _actors.NewTokenAsync(admin.Id)));
    }

    private static MultipartFormDataContent Evidence(string kind, DateTimeOffset issued, DateTimeOffset? expires, byte[] file, int? retentionDays = null)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(kind), "kind" },
            { new StringContent(issued.ToString("O")), "issuedAt" },
        };
        if (expires is { } e)
        {
            form.Add(new StringContent(e.ToString("O")), "expiresAt");
        }
        if (retentionDays is { } days)
        {
            form.Add(new StringContent(days.ToString()), "labelEditLogRetentionDays");
        }
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(content, "file", $"{kind}.pdf");
        return form;
    }

    private static async Task<EvidenceView> FileAsync(HttpClient client, Guid vendorId, string kind, DateTimeOffset? expires, int? retentionDays = null)
    {
        var response = await client.PostAsync($"/v1/vendors/{vendorId}/evidence",
            Evidence(kind, DateTimeOffset.UtcNow.AddDays(-30), expires, Encoding.UTF8.GetBytes($"%PDF-1.7 {kind} {Guid.NewGuid()}"), retentionDays));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Json<EvidenceView>();
    }

    private static Requirement Requirement(ComplianceReport compliance, string id) =>
        compliance.Requirements.Single(r => r.Id == id);

    [Fact]
    public async Task Evidence_filed_by_the_vendor_and_verified_by_procurement_makes_a_vendor_compliant()
    {
        var (vendor, vendorAdmin) = await VendorWithAdminAsync();
        var (_, procurement) = await _actors.NewStaffAsync("procurement");
        Assert.Equal("unassessed", (await procurement.Typed().GetComplianceAsync(vendor.VendorId)).Status);

        var document = Encoding.UTF8.GetBytes("%PDF-1.7 the SOC 2 Type II report");
        var soc2 = await (await vendorAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence",
            Evidence("soc2-type2", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(200), document))).Json<EvidenceView>();
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(document)), soc2.Digest);
        Assert.Equal(document, await procurement.GetByteArrayAsync($"/v1/vendors/{vendor.VendorId}/evidence/{soc2.Id}/file"));
        var dpa = await FileAsync(vendorAdmin, vendor.VendorId, "dpa", null);
        var retention = await FileAsync(vendorAdmin, vendor.VendorId, "retention-policy", DateTimeOffset.UtcNow.AddDays(400), retentionDays: 400);
        Assert.Equal(400, retention.Declared.GetProperty("labelEditLogRetentionDays").GetInt32()); // declared facts are free-form

        var unverified = await procurement.Typed().GetComplianceAsync(vendor.VendorId);
        Assert.Equal("non-compliant", unverified.Status);
        Assert.Contains("not yet verified", Requirement(unverified, "soc2-type2").Detail);

        await (await vendorAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence/{dpa.Id}/verification", null))
            .AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        foreach (var evidence in new[] { soc2, dpa, retention })
        {
            await procurement.PostOk<EvidenceView>($"/v1/vendors/{vendor.VendorId}/evidence/{evidence.Id}/verification", new { });
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await vendorAdmin.PostOk<Jwk>($"/v1/vendors/{vendor.VendorId}/signing-keys", new { publicKeyPem = key.ExportSubjectPublicKeyInfoPem() });
        await vendorAdmin.PostOk<AcknowledgementView>($"/v1/vendors/{vendor.VendorId}/revocation-acknowledgement",
            new { statement = "We understand one annotator's work can be revoked after the fact." });
        // The roster member who uploads has a name (named accountability).
        var named = await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendor.VendorId}/annotators", new { handle = Actors.Unique("ann"), displayName = "Ada Annotator" });
        var annotator = app.ClientFor(await _actors.NewTokenAsync(named.Id));
        var id = (await annotator.CreateBatchAsync()).Id;
        await annotator.UploadAsync(id, Lines(Actors.Examples(1)));

        var compliant = await vendorAdmin.Typed().GetComplianceAsync(vendor.VendorId);
        Assert.Equal("compliant", compliant.Status);
        Assert.All(compliant.Requirements, r => Assert.True(r.Met, r.Id));
        Assert.Equal(soc2.Digest, Requirement(compliant, "soc2-type2").Evidence[0].Digest);

        // Status over time: one entry a day, the day's last assessment (non-compliant earlier today, compliant now).
        var history = (await procurement.GetOk<IReadOnlyList<ComplianceDay>>($"/v1/vendors/{vendor.VendorId}/compliance/history")).ToList();
        Assert.Single(history);
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), history[0].Day);
        Assert.Equal("compliant", history[0].Status);

        // A revocation for cause puts the vendor at risk until procurement records its review.
        var (_, security) = await _actors.NewStaffAsync("security");
        await security.PostOk<RevocationAccepted>("/v1/revocations", new { batchId = id, reason = "The batch copied a competitor's dataset." });
        var atRisk = await procurement.Typed().GetComplianceAsync(vendor.VendorId);
        Assert.Equal("at-risk", atRisk.Status);
        Assert.Equal(1, atRisk.UnreviewedRevocations);
        Assert.True(atRisk.Permitted);
        Assert.Contains("not yet reviewed", Requirement(atRisk, "revocation-exercised").Detail);
        await (await vendorAdmin.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/revocation-reviews", new { note = "We reviewed it ourselves." }))
            .AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await procurement.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/revocation-reviews", new { note = "ok" }))
            .AssertProblem(HttpStatusCode.BadRequest, "validation");
        await procurement.PostOk<RevocationReviewView>($"/v1/vendors/{vendor.VendorId}/revocation-reviews",
            new { note = "The annotator was retrained; the vendor's vetting now checks provenance." });
        var reviewed = await procurement.Typed().GetComplianceAsync(vendor.VendorId);
        Assert.Equal("compliant", reviewed.Status);
        Assert.Equal(0, reviewed.UnreviewedRevocations);
    }

    [Fact]
    public async Task Evidence_is_verified_by_a_procurement_principal_other_than_the_one_who_filed_it()
    {
        var (vendor, _) = await VendorWithAdminAsync();
        var (_, filer) = await _actors.NewStaffAsync("procurement");
        var dpa = await FileAsync(filer, vendor.VendorId, "dpa", null);
        var path = $"/v1/vendors/{vendor.VendorId}/evidence/{dpa.Id}/verification";

        await (await filer.PostAsJsonAsync(path, new { })).AssertProblem(HttpStatusCode.Forbidden, "two-person-rule");
        Assert.Null((await filer.Typed().ListEvidencePageAsync(vendor.VendorId)).Items[0].VerifiedAt);
        var verified = await (await _actors.ProcurementAsync()).Typed().VerifyEvidenceAsync(vendor.VendorId, dpa.Id);
        Assert.NotNull(verified.VerifiedAt);
    }

    [Fact]
    public async Task An_unassessed_vendor_is_refused_until_procurement_grants_a_time_boxed_exception()
    {
        var (vendor, vendorAdmin) = await VendorWithAdminAsync();
        var (_, other) = await VendorWithAdminAsync();
        var procurement = await _actors.ProcurementAsync();
        var refused = await (await vendor.Annotator.PostAsJsonAsync("/v1/batches", new
        {
            justification = Justification, license = "MIT", source = "vendor", declaredDomains = new[] { "billing" },
        })).AssertProblem(HttpStatusCode.Forbidden, "vendor-unassessed");
        Assert.Contains("/exceptions", refused.Detail);

        var path = $"/v1/vendors/{vendor.VendorId}/exceptions";
        var reason = "Onboarding: the SOC 2 report is due next month";
        await (await vendorAdmin.PostAsJsonAsync(path, new { reason, expiresAt = DateTimeOffset.UtcNow.AddDays(30) })).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await other.PostAsJsonAsync(path, new { reason, expiresAt = DateTimeOffset.UtcNow.AddDays(30) })).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        var tooLong = await (await procurement.PostAsJsonAsync(path, new { reason, expiresAt = DateTimeOffset.UtcNow.AddDays(91) })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.True(tooLong.Errors!.ContainsKey("ExpiresAt"), tooLong.ToString());
        Assert.Contains("90 days", tooLong.Errors!["ExpiresAt"][0]);
        await (await procurement.PostAsJsonAsync(path, new { reason, expiresAt = DateTimeOffset.UtcNow.AddDays(-1) })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await procurement.PostAsJsonAsync(path, new { reason })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await procurement.PostAsJsonAsync(path, new { reason = "ok", expiresAt = DateTimeOffset.UtcNow.AddDays(5) })).AssertProblem(HttpStatusCode.BadRequest, "validation");

        var granted = await procurement.PostOk<ExceptionView>(path, new { reason, expiresAt = DateTimeOffset.UtcNow.AddDays(60) });
        Assert.True(granted.InForce);
        var listed = await vendorAdmin.Typed().ListComplianceExceptionsPageAsync(vendor.VendorId);
        Assert.Equal(granted.Id, listed.Items.Single().Id);
        await (await other.GetAsync(path)).AssertProblem(HttpStatusCode.NotFound, "not-found");
        var compliance = await procurement.Typed().GetComplianceAsync(vendor.VendorId);
        Assert.Equal("unassessed", compliance.Status);
        Assert.True(compliance.Permitted);
        Assert.Equal(reason, compliance.Exception!.Reason);

        await vendor.Annotator.CreateBatchAsync();
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        Assert.Contains(await auditor.AuditEntriesAsync(), e => e.Action == "compliance.exception-granted"
            && e.Target == $"vendor:{vendor.VendorId}" && e.Details.GetProperty("reason").GetString() == reason);
    }

    [Fact]
    public async Task A_non_compliant_vendor_cannot_open_batches_and_is_told_why()
    {
        var (vendor, vendorAdmin) = await VendorWithAdminAsync();
        var (_, procurement) = await _actors.NewStaffAsync("procurement");
        var expired = await FileAsync(vendorAdmin, vendor.VendorId, "soc2-type2", DateTimeOffset.UtcNow.AddDays(-1));
        await procurement.PostOk<EvidenceView>($"/v1/vendors/{vendor.VendorId}/evidence/{expired.Id}/verification", new { });

        var refused = await (await vendor.Annotator.PostAsJsonAsync("/v1/batches", new
        {
            justification = Justification, license = "MIT", source = "vendor", declaredDomains = new[] { "billing" },
        })).AssertProblem(HttpStatusCode.Forbidden, "vendor-non-compliant");

        var failing = refused.Requirements!.Select(r => r.Id).ToList();
        Assert.Contains("soc2-type2", failing);
        Assert.Contains("dpa", failing);
        Assert.Contains("expired", refused.Detail);
    }

    [Fact]
    public async Task Evidence_is_validated_and_scoped_to_its_vendor()
    {
        var (vendor, vendorAdmin) = await VendorWithAdminAsync();
        var (other, otherAdmin) = await VendorWithAdminAsync();
        var bad = await (await vendorAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence",
            Evidence("soc3", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(-5), [1, 2, 3]))).AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.True(bad.Errors!.ContainsKey("kind"));
        Assert.True(bad.Errors!.ContainsKey("expiresAt"));
        var noFile = new MultipartFormDataContent { { new StringContent("dpa"), "kind" }, { new StringContent("2026-01-01"), "issuedAt" } };
        var missing = await (await vendorAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence", noFile)).AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.True(missing.Errors!.ContainsKey("file"));
        await (await vendorAdmin.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/evidence", new { kind = "dpa" }))
            .AssertProblem(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

        var filed = await FileAsync(vendorAdmin, vendor.VendorId, "dpa", null);
        await (await otherAdmin.GetAsync($"/v1/vendors/{vendor.VendorId}/compliance")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await otherAdmin.GetAsync($"/v1/vendors/{vendor.VendorId}/evidence/{filed.Id}/file")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await otherAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence", Evidence("dpa", DateTimeOffset.UtcNow, null, [1])))
            .AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await vendor.Annotator.GetAsync($"/v1/vendors/{vendor.VendorId}/compliance")).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        var listed = await vendorAdmin.GetOk<EvidenceViewPage>($"/v1/vendors/{vendor.VendorId}/evidence");
        Assert.Equal(filed.Id, listed.Items[0].Id);
        Assert.Empty((await otherAdmin.GetOk<EvidenceViewPage>($"/v1/vendors/{other.VendorId}/evidence")).Items);
    }
}

public sealed class ComplianceOnEmbedded(EmbeddedGateway app) : ComplianceTests<EmbeddedGateway>(app);

public sealed class ComplianceOnProduction(ProductionGateway app) : ComplianceTests<ProductionGateway>(app);
