using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VendorGate.Attest.Dsse;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Identity;

/// <summary>Only the owner holds a credential: people enrol with a one-time invitation and mint their own keys; an
/// admin mints keys for service principals only.</summary>
public abstract class EnrolmentTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task Nobody_mints_a_usable_key_for_another_person()
    {
        var vendor = await _actors.NewVendorAsync();
        var (maintainerId, _) = await _actors.NewStaffAsync("maintainer");
        var vendorAdminId = (await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendor.VendorId}/admins", new { handle = Actors.Unique("va") })).Id;
        var vendorAdmin = app.ClientFor(await _actors.NewTokenAsync(vendorAdminId));

        foreach (var (client, target) in new[] { (_actors.Admin, maintainerId), (_actors.Admin, vendor.AnnotatorId), (vendorAdmin, vendor.AnnotatorId) })
        {
            var refused = await (await client.PostAsJsonAsync($"/v1/principals/{target}/keys", new { })).AssertProblem(HttpStatusCode.Forbidden, "owner-only");
            Assert.Contains("invitation", refused.Detail);
        }
    }

    [Fact]
    public async Task An_invitation_is_redeemed_once_by_its_owner_for_a_key_the_issuer_never_sees()
    {
        var maintainerId = (await _actors.Admin.PostOk<PrincipalView>("/v1/staff", new { name = Actors.Unique("Mia Maintainer"), roles = new[] { "maintainer" } })).Id;
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        await (await _actors.Admin.PostAsJsonAsync($"/v1/principals/{maintainerId}/invitations", new { expiresInHours = 0 })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await _actors.Admin.PostAsJsonAsync($"/v1/principals/{maintainerId}/invitations", new { expiresInHours = 169 })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        var created = await _actors.Admin.PostOk<CreatedInvitation>($"/v1/principals/{maintainerId}/invitations", new { expiresInHours = 2 });
        var invitation = created.Invitation!;
        Assert.StartsWith("vgi_", invitation);
        Assert.InRange(created.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(110), DateTimeOffset.UtcNow.AddMinutes(130));

        // The invitation authenticates nothing but its redemption.
        await (await app.ClientFor(invitation).GetAsync("/v1/me")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        var anonymous = app.ClientFor(null);
        var redeemed = await anonymous.PostOk<RedeemedKey>("/v1/invitations/redeem", new { invitation });
        Assert.Equal(maintainerId, redeemed.PrincipalId);
        var maintainer = app.ClientFor(redeemed.Token);
        Assert.Equal(maintainerId, (await maintainer.Typed().GetMeAsync()).Id);
        await (await anonymous.PostAsJsonAsync("/v1/invitations/redeem", new { invitation })).AssertProblem(HttpStatusCode.Unauthorized, "invitation-invalid");
        await (await anonymous.PostAsJsonAsync("/v1/invitations/redeem", new { invitation = invitation[..^4] + "AAAA" })).AssertProblem(HttpStatusCode.Unauthorized, "invitation-invalid");
        await (await anonymous.PostAsJsonAsync("/v1/invitations/redeem", new { invitation = "vg_0123456789abcdef_" + new string('A', 43) })).AssertProblem(HttpStatusCode.Unauthorized, "invitation-invalid");

        // Further keys are minted by the owner; each key says how it came to be.
        var second = await maintainer.PostOk<CreatedKey>($"/v1/principals/{maintainerId}/keys", new { });
        var keys = (await maintainer.GetOk<IReadOnlyList<KeyView>>($"/v1/principals/{maintainerId}/keys")).ToList();
        Assert.Equal(["invitation", "self"], keys.Select(k => k.Origin));
        Assert.All(keys, k => Assert.Equal(maintainerId, k.MintedBy));
        var created2 = (await auditor.AuditEntriesAsync()).Where(e => e.Action == "key.create" && e.Target == $"principal:{maintainerId}").ToList();
        Assert.Equal(2, created2.Count);
        Assert.All(created2, e => Assert.Equal($"principal:{maintainerId}", e.Actor));
        await maintainer.DeleteAsync($"/v1/principals/{maintainerId}/keys/{second.Id}");
    }

    [Fact]
    public async Task A_vendor_admin_invites_its_own_annotators_only()
    {
        var vendor = await _actors.NewVendorAsync();
        var other = await _actors.NewVendorAsync();
        var vendorAdminId = (await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendor.VendorId}/admins", new { handle = Actors.Unique("va") })).Id;
        var peerId = (await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendor.VendorId}/admins", new { handle = Actors.Unique("va") })).Id;
        var vendorAdmin = app.ClientFor(await _actors.NewTokenAsync(vendorAdminId));

        var invitation = await vendorAdmin.PostOk<CreatedInvitation>($"/v1/principals/{vendor.AnnotatorId}/invitations", new { });
        Assert.Equal(vendor.AnnotatorId, invitation.PrincipalId);
        await (await vendorAdmin.PostAsJsonAsync($"/v1/principals/{other.AnnotatorId}/invitations", new { })).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await vendorAdmin.PostAsJsonAsync($"/v1/principals/{peerId}/invitations", new { })).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await vendor.Annotator.PostAsJsonAsync($"/v1/principals/{vendor.AnnotatorId}/invitations", new { })).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Service_principals_get_admin_minted_keys_hold_pipeline_roles_only_and_reviews_record_the_credential()
    {
        await (await _actors.Admin.PostAsJsonAsync("/v1/staff", new { name = Actors.Unique("pipeline"), roles = new[] { "maintainer" }, service = true }))
            .AssertProblem(HttpStatusCode.BadRequest, "validation");
        var service = await _actors.Admin.PostOk<PrincipalView>("/v1/staff", new { name = Actors.Unique("harness"), roles = new[] { "eval-harness" }, service = true });
        Assert.True(service.Service);
        var key = await _actors.Admin.PostOk<CreatedKey>($"/v1/principals/{service.Id}/keys", new { });
        await app.ClientFor(key.Token).GetOk<CanaryViewPage>("/v1/canaries");
        Assert.Equal("service", (await _actors.Admin.GetOk<IReadOnlyList<KeyView>>($"/v1/principals/{service.Id}/keys"))[0].Origin);

        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
        var envelope = Envelope.Parse(await maintainer.GetByteArrayAsync($"/v1/batches/{batch}/attestation?kind=approval"));
        var reviewer = JsonNode.Parse(envelope.Payload)!["predicate"]!["reviews"]![0]!["reviewer"]!;
        Assert.Equal("invitation", reviewer["credential"]!.GetValue<string>());
    }
}

public sealed class EnrolmentOnEmbedded(EmbeddedGateway app) : EnrolmentTests<EmbeddedGateway>(app);

public sealed class EnrolmentOnProduction(ProductionGateway app) : EnrolmentTests<ProductionGateway>(app);
