using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Compliance;

public abstract class ComplianceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private async Task<(VendorActors Vendor, HttpClient VendorAdmin)> VendorWithAdminAsync()
    {
        var vendor = await _actors.NewVendorAsync(exception: false);
        var admin = await _actors.Admin.PostOk($"/v1/vendors/{vendor.VendorId}/admins", new { handle = Actors.Unique("va") });
        return (vendor, app.ClientFor(await _actors.NewTokenAsync(admin.GetProperty("id").GetGuid())));
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

    private static async Task<JsonElement> FileAsync(HttpClient client, Guid vendorId, string kind, DateTimeOffset? expires, int? retentionDays = null)
    {
        var response = await client.PostAsync($"/v1/vendors/{vendorId}/evidence",
            Evidence(kind, DateTimeOffset.UtcNow.AddDays(-30), expires, Encoding.UTF8.GetBytes($"%PDF-1.7 {kind} {Guid.NewGuid()}"), retentionDays));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Json();
    }

    private static JsonElement Requirement(JsonElement compliance, string id) =>
        compliance.GetProperty("requirements").EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);

    [Fact]
    public async Task Evidence_filed_by_the_vendor_and_verified_by_procurement_makes_a_vendor_compliant()
    {
        var (vendor, vendorAdmin) = await VendorWithAdminAsync();
        var (_, procurement) = await _actors.NewStaffAsync("procurement");
        Assert.Equal("unassessed", (await procurement.GetOk($"/v1/vendors/{vendor.VendorId}/compliance")).GetProperty("status").GetString());

        var document = Encoding.UTF8.GetBytes("%PDF-1.7 the SOC 2 Type II report");
        var soc2 = await (await vendorAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence",
            Evidence("soc2-type2", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(200), document))).Json();
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(document)), soc2.GetProperty("digest").GetString());
        Assert.Equal(document, await procurement.GetByteArrayAsync($"/v1/vendors/{vendor.VendorId}/evidence/{soc2.GetProperty("id").GetGuid()}/file"));
        var dpa = await FileAsync(vendorAdmin, vendor.VendorId, "dpa", null);
        var retention = await FileAsync(vendorAdmin, vendor.VendorId, "retention-policy", DateTimeOffset.UtcNow.AddDays(400), retentionDays: 400);
        Assert.Equal(400, retention.GetProperty("declared").GetProperty("labelEditLogRetentionDays").GetInt32());

        var unverified = await procurement.GetOk($"/v1/vendors/{vendor.VendorId}/compliance");
        Assert.Equal("non-compliant", unverified.GetProperty("status").GetString());
        Assert.Contains("not yet verified", Requirement(unverified, "soc2-type2").GetProperty("detail").GetString());

        await (await vendorAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence/{dpa.GetProperty("id").GetGuid()}/verification", null))
            .AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        foreach (var evidence in new[] { soc2, dpa, retention })
        {
            await procurement.PostOk($"/v1/vendors/{vendor.VendorId}/evidence/{evidence.GetProperty("id").GetGuid()}/verification", new { });
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await vendorAdmin.PostOk($"/v1/vendors/{vendor.VendorId}/signing-keys", new { publicKeyPem = key.ExportSubjectPublicKeyInfoPem() });
        await vendorAdmin.PostOk($"/v1/vendors/{vendor.VendorId}/revocation-acknowledgement",
            new { statement = "We understand one annotator's work can be revoked after the fact." });
        // The roster member who uploads has a name (named accountability).
        var named = await _actors.Admin.PostOk($"/v1/vendors/{vendor.VendorId}/annotators", new { handle = Actors.Unique("ann"), displayName = "Ada Annotator" });
        var annotator = app.ClientFor(await _actors.NewTokenAsync(named.GetProperty("id").GetGuid()));
        var id = (await annotator.CreateBatchAsync()).GetProperty("id").GetGuid();
        await annotator.UploadAsync(id, Lines(Actors.Examples(1)));

        var compliant = await vendorAdmin.GetOk($"/v1/vendors/{vendor.VendorId}/compliance");
        Assert.Equal("compliant", compliant.GetProperty("status").GetString());
        Assert.All(compliant.GetProperty("requirements").EnumerateArray(), r => Assert.True(r.GetProperty("met").GetBoolean(), r.GetProperty("id").GetString()));
        Assert.Equal(soc2.GetProperty("digest").GetString(), Requirement(compliant, "soc2-type2").GetProperty("evidence")[0].GetProperty("digest").GetString());

        // Status over time: one entry a day, the day's last assessment (non-compliant earlier today, compliant now).
        var history = (await procurement.GetOk($"/v1/vendors/{vendor.VendorId}/compliance/history")).EnumerateArray().ToList();
        Assert.Single(history);
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), history[0].GetProperty("day").GetString());
        Assert.Equal("compliant", history[0].GetProperty("status").GetString());

        // A revocation for cause puts the vendor at risk until procurement records its review.
        var (_, security) = await _actors.NewStaffAsync("security");
        await security.PostOk("/v1/revocations", new { batchId = id, reason = "The batch copied a competitor's dataset." });
        var atRisk = await procurement.GetOk($"/v1/vendors/{vendor.VendorId}/compliance");
        Assert.Equal("at-risk", atRisk.GetProperty("status").GetString());
        Assert.Equal(1, atRisk.GetProperty("unreviewedRevocations").GetInt32());
        Assert.True(atRisk.GetProperty("permitted").GetBoolean());
        Assert.Contains("not yet reviewed", Requirement(atRisk, "revocation-exercised").GetProperty("detail").GetString());
        await (await vendorAdmin.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/revocation-reviews", new { note = "We reviewed it ourselves." }))
            .AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await procurement.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/revocation-reviews", new { note = "ok" }))
            .AssertProblem(HttpStatusCode.BadRequest, "validation");
        await procurement.PostOk($"/v1/vendors/{vendor.VendorId}/revocation-reviews",
            new { note = "The annotator was retrained; the vendor's vetting now checks provenance." });
        var reviewed = await procurement.GetOk($"/v1/vendors/{vendor.VendorId}/compliance");
        Assert.Equal("compliant", reviewed.GetProperty("status").GetString());
        Assert.Equal(0, reviewed.GetProperty("unreviewedRevocations").GetInt32());
    }

    [Fact]
    public async Task Evidence_is_verified_by_a_procurement_principal_other_than_the_one_who_filed_it()
    {
        var (vendor, _) = await VendorWithAdminAsync();
        var (_, filer) = await _actors.NewStaffAsync("procurement");
        var dpa = await FileAsync(filer, vendor.VendorId, "dpa", null);
        var path = $"/v1/vendors/{vendor.VendorId}/evidence/{dpa.GetProperty("id").GetGuid()}/verification";

        await (await filer.PostAsJsonAsync(path, new { })).AssertProblem(HttpStatusCode.Forbidden, "two-person-rule");
        Assert.Equal(JsonValueKind.Null, (await filer.GetOk($"/v1/vendors/{vendor.VendorId}/evidence")).GetProperty("items")[0].GetProperty("verifiedAt").ValueKind);
        var verified = await (await _actors.ProcurementAsync()).PostOk(path, new { });
        Assert.Equal(JsonValueKind.String, verified.GetProperty("verifiedAt").ValueKind);
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
        Assert.Contains("/exceptions", refused.GetProperty("detail").GetString());

        var path = $"/v1/vendors/{vendor.VendorId}/exceptions";
        var reason = "Onboarding: the SOC 2 report is due next month";
        await (await vendorAdmin.PostAsJsonAsync(path, new { reason, expiresAt = DateTimeOffset.UtcNow.AddDays(30) })).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await other.PostAsJsonAsync(path, new { reason, expiresAt = DateTimeOffset.UtcNow.AddDays(30) })).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        var tooLong = await (await procurement.PostAsJsonAsync(path, new { reason, expiresAt = DateTimeOffset.UtcNow.AddDays(91) })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("ExpiresAt", out _), tooLong.ToString());
        Assert.Contains("90 days", tooLong.GetProperty("errors").GetProperty("ExpiresAt")[0].GetString());
        await (await procurement.PostAsJsonAsync(path, new { reason, expiresAt = DateTimeOffset.UtcNow.AddDays(-1) })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await procurement.PostAsJsonAsync(path, new { reason })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await procurement.PostAsJsonAsync(path, new { reason = "ok", expiresAt = DateTimeOffset.UtcNow.AddDays(5) })).AssertProblem(HttpStatusCode.BadRequest, "validation");

        var granted = await procurement.PostOk(path, new { reason, expiresAt = DateTimeOffset.UtcNow.AddDays(60) });
        Assert.True(granted.GetProperty("inForce").GetBoolean());
        var listed = await vendorAdmin.GetOk(path);
        Assert.Equal(granted.GetProperty("id").GetGuid(), listed.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());
        await (await other.GetAsync(path)).AssertProblem(HttpStatusCode.NotFound, "not-found");
        var compliance = await procurement.GetOk($"/v1/vendors/{vendor.VendorId}/compliance");
        Assert.Equal("unassessed", compliance.GetProperty("status").GetString());
        Assert.True(compliance.GetProperty("permitted").GetBoolean());
        Assert.Equal(reason, compliance.GetProperty("exception").GetProperty("reason").GetString());

        await vendor.Annotator.CreateBatchAsync();
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        Assert.Contains(await auditor.AuditEntriesAsync(), e => e.GetProperty("action").GetString() == "compliance.exception-granted"
            && e.GetProperty("target").GetString() == $"vendor:{vendor.VendorId}" && e.GetProperty("details").GetProperty("reason").GetString() == reason);
    }

    [Fact]
    public async Task A_non_compliant_vendor_cannot_open_batches_and_is_told_why()
    {
        var (vendor, vendorAdmin) = await VendorWithAdminAsync();
        var (_, procurement) = await _actors.NewStaffAsync("procurement");
        var expired = await FileAsync(vendorAdmin, vendor.VendorId, "soc2-type2", DateTimeOffset.UtcNow.AddDays(-1));
        await procurement.PostOk($"/v1/vendors/{vendor.VendorId}/evidence/{expired.GetProperty("id").GetGuid()}/verification", new { });

        var refused = await (await vendor.Annotator.PostAsJsonAsync("/v1/batches", new
        {
            justification = Justification, license = "MIT", source = "vendor", declaredDomains = new[] { "billing" },
        })).AssertProblem(HttpStatusCode.Forbidden, "vendor-non-compliant");

        var failing = refused.GetProperty("requirements").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Contains("soc2-type2", failing);
        Assert.Contains("dpa", failing);
        Assert.Contains("expired", refused.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Evidence_is_validated_and_scoped_to_its_vendor()
    {
        var (vendor, vendorAdmin) = await VendorWithAdminAsync();
        var (other, otherAdmin) = await VendorWithAdminAsync();
        var bad = await (await vendorAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence",
            Evidence("soc3", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(-5), [1, 2, 3]))).AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.True(bad.GetProperty("errors").TryGetProperty("kind", out _));
        Assert.True(bad.GetProperty("errors").TryGetProperty("expiresAt", out _));
        var noFile = new MultipartFormDataContent { { new StringContent("dpa"), "kind" }, { new StringContent("2026-01-01"), "issuedAt" } };
        var missing = await (await vendorAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence", noFile)).AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.True(missing.GetProperty("errors").TryGetProperty("file", out _));
        await (await vendorAdmin.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/evidence", new { kind = "dpa" }))
            .AssertProblem(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

        var filed = await FileAsync(vendorAdmin, vendor.VendorId, "dpa", null);
        await (await otherAdmin.GetAsync($"/v1/vendors/{vendor.VendorId}/compliance")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await otherAdmin.GetAsync($"/v1/vendors/{vendor.VendorId}/evidence/{filed.GetProperty("id").GetGuid()}/file")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await otherAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence", Evidence("dpa", DateTimeOffset.UtcNow, null, [1])))
            .AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await vendor.Annotator.GetAsync($"/v1/vendors/{vendor.VendorId}/compliance")).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        var listed = await vendorAdmin.GetOk($"/v1/vendors/{vendor.VendorId}/evidence");
        Assert.Equal(filed.GetProperty("id").GetGuid(), listed.GetProperty("items")[0].GetProperty("id").GetGuid());
        Assert.Empty((await otherAdmin.GetOk($"/v1/vendors/{other.VendorId}/evidence")).GetProperty("items").EnumerateArray());
    }
}

public sealed class ComplianceOnEmbedded(EmbeddedGateway app) : ComplianceTests<EmbeddedGateway>(app);

public sealed class ComplianceOnProduction(ProductionGateway app) : ComplianceTests<ProductionGateway>(app);
