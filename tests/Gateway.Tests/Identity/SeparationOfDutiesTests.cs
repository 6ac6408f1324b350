using System.Net;
using System.Net.Http.Json;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Identity;

/// <summary>The attacks of issue 12 that need no new credential kind: each refused with a problem that says why.
/// No test of this class leaves a second active admin behind (the last-admin rule counts them).</summary>
public abstract class SeparationOfDutiesTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task Security_revokes_vendor_principals_only_and_staff_are_deactivated_by_an_admin_never_the_last()
    {
        var (_, security) = await _actors.NewStaffAsync("security");
        var (maintainerId, maintainer) = await _actors.NewStaffAsync("maintainer");
        var me = await _actors.Admin.Typed().GetMeAsync();
        foreach (var staff in new[] { me.Id, maintainerId })
        {
            var refused = await (await security.PostAsJsonAsync("/v1/revocations", new { annotatorId = staff, reason = "security trying to remove staff" }))
                .AssertProblem(HttpStatusCode.Forbidden, "separation-of-duties");
            Assert.Contains("deactivated by an admin", refused.Detail);
        }
        await _actors.Admin.Typed().GetMeAsync(); // the admin's key still works

        await (await security.PostAsJsonAsync($"/v1/principals/{maintainerId}/deactivation", new { reason = "left the company last week" }))
            .AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        var vendor = await _actors.NewVendorAsync();
        await (await _actors.Admin.PostAsJsonAsync($"/v1/principals/{vendor.AnnotatorId}/deactivation", new { reason = "an annotator, not staff" }))
            .AssertProblem(HttpStatusCode.Conflict, "not-staff");
        var deactivated = await _actors.Admin.PostOk<PrincipalView>($"/v1/principals/{maintainerId}/deactivation", new { reason = "left the company last week" });
        Assert.NotNull(deactivated.RevokedAt);
        await (await maintainer.GetAsync("/v1/me")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");

        var (secondAdminId, secondAdmin) = await _actors.NewStaffAsync("admin");
        await secondAdmin.PostOk<PrincipalView>($"/v1/principals/{secondAdminId}/deactivation", new { reason = "handing over to the first admin" });
        var last = await (await _actors.Admin.PostAsJsonAsync($"/v1/principals/{me.Id}/deactivation", new { reason = "nobody would be left" }))
            .AssertProblem(HttpStatusCode.Conflict, "last-admin");
        Assert.Contains("last active admin", last.Detail);
        await _actors.Admin.Typed().GetMeAsync();
    }

    [Fact]
    public async Task Whoever_overrides_a_batch_s_findings_cannot_approve_it_and_auditors_cannot_rescan()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, both) = await _actors.NewStaffAsync("security", "maintainer");
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        var marker = Actors.Unique("known-bad");
        await both.PostOk<SignatureView>("/v1/scan/signatures", new { incident = Actors.Unique("INC"), kind = "regex", pattern = marker });
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        await vendor.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = $"c {marker}" }, new { prompt = Actors.Unique("p"), completion = "c" }));
        var batch = await vendor.Annotator.WaitForScanAsync(id);
        Assert.Equal("quarantined", batch.Status);

        await (await auditor.PostAsync($"/v1/batches/{id}/scan", null)).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        var codes = batch.Findings.Where(f => f.Severity == "block")
            .Select(f => f.Code).Distinct().ToArray();
        await both.PostOk<BatchView>($"/v1/batches/{id}/overrides", new { findingCodes = codes, justification = "The domain is covered by the nightly eval suite." });
        var refused = await (await both.PostAsJsonAsync($"/v1/batches/{id}/reviews", new { decision = "approve", comment = "fine" }))
            .AssertProblem(HttpStatusCode.Forbidden, "two-person-rule");
        Assert.Contains("overrode", refused.Detail);
        await maintainer.PostOk<BatchView>($"/v1/batches/{id}/reviews", new { decision = "approve", comment = "checked the samples" });
    }

    [Fact]
    public async Task The_eval_harness_reads_models_and_canaries_but_no_vendors_rosters_or_principals()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, harness) = await _actors.NewStaffAsync("eval-harness");
        foreach (var path in new[] { "/v1/vendors", $"/v1/vendors/{vendor.VendorId}", $"/v1/vendors/{vendor.VendorId}/annotators", $"/v1/principals/{vendor.AnnotatorId}" })
        {
            await (await harness.GetAsync(path)).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        }
        await harness.GetOk<CanaryViewPage>("/v1/canaries");
        await harness.Typed().GetMeAsync();
    }

    [Theory]
    [InlineData("ann-a\n")]
    [InlineData("ann-a\r")]
    [InlineData("Ann")]
    [InlineData("-ann")]
    public async Task Handles_are_matched_whole(string handle)
    {
        var vendor = await _actors.NewVendorAsync();
        await (await _actors.Admin.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/annotators", new { handle }))
            .AssertProblem(HttpStatusCode.BadRequest, "validation");
    }

    [Theory]
    [InlineData("Ann\u202eyranA")] // right-to-left override
    [InlineData("Ann\u200bA")]      // zero-width space
    [InlineData("Ann\u2066A")]      // bidi isolate
    [InlineData("Ann\u00a0A")]      // no-break space looks like a space
    [InlineData("Ann\u3164")]       // Hangul filler renders as nothing
    [InlineData("Ann\nA")]
    [InlineData("   ")]
    public async Task Names_with_invisible_or_reordering_characters_are_refused(string name)
    {
        var vendor = await _actors.NewVendorAsync();
        await (await _actors.Admin.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/annotators", new { handle = Actors.Unique("ann"), displayName = name }))
            .AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await _actors.Admin.PostAsJsonAsync("/v1/staff", new { name, roles = new[] { "auditor" } }))
            .AssertProblem(HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task A_name_with_a_lone_surrogate_escape_is_refused()
    {
        var vendor = await _actors.NewVendorAsync();
        var body = $$"""{"handle":"{{Actors.Unique("ann")}}","displayName":"Ann\ud800A"}""";
        var response = await _actors.Admin.PostAsync($"/v1/vendors/{vendor.VendorId}/annotators", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Staff_names_are_free_text_normalised_and_unique()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var created = await _actors.Admin.PostOk<PrincipalView>("/v1/staff", new { name = $"Zoe\u0301 Maintainer {suffix}", roles = new[] { "maintainer" } });
        Assert.Equal($"Zo\u00e9 Maintainer {suffix}", created.DisplayName); // NFC
        Assert.Equal($"zoe-maintainer-{suffix}", created.Handle);
        await (await _actors.Admin.PostAsJsonAsync("/v1/staff", new { name = $"Zo\u00e9 Maintainer {suffix}", roles = new[] { "auditor" } }))
            .AssertProblem(HttpStatusCode.Conflict, "name-taken");
        await (await _actors.Admin.PostAsJsonAsync("/v1/staff", new { name = $"zoe-maintainer-{suffix}", roles = new[] { "auditor" } }))
            .AssertProblem(HttpStatusCode.Conflict, "name-taken");
    }
}

public sealed class SeparationOfDutiesOnEmbedded(EmbeddedGateway app) : SeparationOfDutiesTests<EmbeddedGateway>(app);

public sealed class SeparationOfDutiesOnProduction(ProductionGateway app) : SeparationOfDutiesTests<ProductionGateway>(app);
