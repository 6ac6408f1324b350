using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using VendorGate.Attest.Dsse;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using VendorGate.TestSupport;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Identity;

/// <summary>Staff sign in through a real OpenID provider (npm oidc-provider, started by scripts/test.sh) and call the
/// API with its access tokens. The deployment here requires OIDC for reviews, overrides, revocations and cuts, and
/// takes roles from the provider's "roles" claim (vg.* values mapped to staff roles).</summary>
public abstract class OidcTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private const string Unreachable = "http://127.0.0.1:9/unreachable";

    public static Dictionary<string, string?> OidcSettings => new()
    {
        ["VendorGate:Identity:Oidc:0:Issuer"] = OidcProvider.Issuer,
        ["VendorGate:Identity:Oidc:0:Audience"] = OidcProvider.Audience,
        ["VendorGate:Identity:Oidc:0:RoleClaim"] = "roles",
        ["VendorGate:Identity:Oidc:0:RoleMap:vg.maintainer"] = "maintainer",
        ["VendorGate:Identity:Oidc:0:RoleMap:vg.security"] = "security",
        ["VendorGate:Identity:Oidc:0:RoleMap:vg.auditor"] = "auditor",
        ["VendorGate:Identity:Oidc:1:Issuer"] = Unreachable, // a second provider, down
        ["VendorGate:Identity:Oidc:1:Audience"] = OidcProvider.Audience,
        ["VendorGate:Identity:RequireOidcFor:0"] = "review",
        ["VendorGate:Identity:RequireOidcFor:1"] = "override",
        ["VendorGate:Identity:RequireOidcFor:2"] = "revoke",
        ["VendorGate:Identity:RequireOidcFor:3"] = "cut",
    };

    /// <summary>A staff member registered by subject, and a client carrying a token from their sign-in.</summary>
    private async Task<(Guid Id, HttpClient Client, string Login)> SignedInAsync(string[] roles, string grantedAtProvider)
    {
        var login = $"{Actors.Unique("mia")}+{grantedAtProvider}";
        var staff = await _actors.Admin.PostOk<PrincipalView>("/v1/staff", new { name = Actors.Unique("Mia Maintainer"), roles, oidc = new { issuer = OidcProvider.Issuer, subject = login } });
        return (staff.Id, app.ClientFor(await OidcProvider.AccessTokenAsync(login)), login);
    }

    [Fact]
    public async Task A_maintainer_signed_in_at_the_provider_reviews_and_cuts_and_the_approval_names_the_provider_and_subject()
    {
        var (id, maintainer, login) = await SignedInAsync(["maintainer"], "vg.maintainer");
        var me = await maintainer.Typed().GetMeAsync();
        Assert.Equal(id, me.Id);
        Assert.Equal(["maintainer"], me.Roles.Select(r => r));
        Assert.Equal(login, me.Oidc!.Subject);

        var vendor = await _actors.NewVendorAsync();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        await vendor.Annotator.UploadAsync(batch, Lines(Actors.Examples(3)));
        Assert.Equal("in-review", (await vendor.Annotator.WaitForScanAsync(batch)).Status);
        await vendor.Annotator.WaitForAttestationAsync(batch);

        var (_, keyMaintainer) = await _actors.NewStaffAsync("maintainer"); // an enrolled maintainer with an API key
        var refused = await (await keyMaintainer.PostAsJsonAsync($"/v1/batches/{batch}/reviews", new { decision = "approve" }))
            .AssertProblem(HttpStatusCode.Forbidden, "oidc-required");
        Assert.Contains("OpenID Connect", refused.Detail);
        await (await keyMaintainer.PostAsJsonAsync("/v1/snapshots", new { message = "cut with a key" })).AssertProblem(HttpStatusCode.Forbidden, "oidc-required");

        await maintainer.PostOk<BatchView>($"/v1/batches/{batch}/reviews", new { decision = "approve", comment = "read every line" });
        await PollAsync(() => vendor.Annotator.Typed().GetBatchAsync(batch), b => b.Approval?.State == "signed");
        var envelope = Envelope.Parse(await maintainer.GetByteArrayAsync($"/v1/batches/{batch}/attestation?kind=approval"));
        var reviewer = JsonNode.Parse(envelope.Payload)!["predicate"]!["reviews"]![0]!["reviewer"]!;
        Assert.Equal("oidc", reviewer["credential"]!.GetValue<string>());
        Assert.Equal(OidcProvider.Issuer, reviewer["oidc"]!["issuer"]!.GetValue<string>());
        Assert.Equal(login, reviewer["oidc"]!["subject"]!.GetValue<string>());

        var cut = await maintainer.PostAsJsonAsync("/v1/snapshots", new { message = "the approved batch", batches = new[] { batch } });
        Assert.True(cut.IsSuccessStatusCode, await cut.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Roles_are_those_registered_that_the_provider_also_grants()
    {
        var (_, both, _) = await SignedInAsync(["maintainer", "security"], "vg.maintainer");
        Assert.Equal(["maintainer"], (await both.Typed().GetMeAsync()).Roles.Select(r => r));
        await (await both.PostAsJsonAsync("/v1/scan/signatures", new { incident = Actors.Unique("INC"), kind = "regex", pattern = "x" }))
            .AssertProblem(HttpStatusCode.Forbidden, "forbidden");

        // The provider granting more than was registered adds nothing: an admin registered an auditor.
        var (_, auditor, _) = await SignedInAsync(["auditor"], "vg.auditor,vg.maintainer,vg.security");
        Assert.Equal(["auditor"], (await auditor.Typed().GetMeAsync()).Roles.Select(r => r));
        await (await auditor.PostAsJsonAsync("/v1/snapshots", new { message = "an auditor cutting" })).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Unregistered_forged_foreign_and_deactivated_tokens_are_refused_with_a_reason()
    {
        var stranger = await OidcProvider.AccessTokenAsync(Actors.Unique("stranger") + "+vg.maintainer");
        var unregistered = await (await app.ClientFor(stranger).GetAsync("/v1/me")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("No staff member is registered", unregistered.Detail);

        // The stranger rewrites the subject to a registered maintainer's: the signature no longer matches.
        var (id, maintainer, login) = await SignedInAsync(["maintainer"], "vg.maintainer");
        var parts = stranger.Split('.');
        var claims = JsonNode.Parse(Base64UrlDecode(parts[1]))!;
        claims["sub"] = login;
        var forged = $"{parts[0]}.{Base64UrlEncode(Encoding.UTF8.GetBytes(claims.ToJsonString()))}.{parts[2]}";
        await (await app.ClientFor(forged).GetAsync("/v1/me")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");

        // A token from an issuer this Gateway does not trust.
        claims["iss"] = "https://login.attacker.example";
        var foreign = $"{parts[0]}.{Base64UrlEncode(Encoding.UTF8.GetBytes(claims.ToJsonString()))}.{parts[2]}";
        var untrusted = await (await app.ClientFor(foreign).GetAsync("/v1/me")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("issuer is not one this Gateway trusts", untrusted.Detail);

        // A token naming a configured provider that cannot be reached: refused with the reason, not a 500.
        claims["iss"] = Unreachable;
        var down = $"{parts[0]}.{Base64UrlEncode(Encoding.UTF8.GetBytes(claims.ToJsonString()))}.{parts[2]}";
        var unreachable = await (await app.ClientFor(down).GetAsync("/v1/me")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("could not be reached", unreachable.Detail);

        await _actors.Admin.PostOk<PrincipalView>($"/v1/principals/{id}/deactivation", new { reason = "moved to another team" });
        var deactivated = await (await maintainer.GetAsync("/v1/me")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("deactivated", deactivated.Detail);
    }

    [Fact]
    public async Task Staff_registered_by_verified_email_are_bound_to_the_subject_of_their_first_sign_in()
    {
        var name = Actors.Unique("sam");
        var staff = await _actors.Admin.PostOk<PrincipalView>("/v1/staff", new { name = Actors.Unique("Sam Security"), roles = new[] { "auditor" }, oidc = new { issuer = OidcProvider.Issuer, email = $"{name.ToUpperInvariant()}@Example.TEST" } });
        var first = app.ClientFor(await OidcProvider.AccessTokenAsync($"{name}+vg.auditor"));
        Assert.Equal(staff.Id, (await first.Typed().GetMeAsync()).Id);
        var bound = await _actors.Admin.Typed().GetPrincipalAsync(staff.Id);
        Assert.Equal($"{name}+vg.auditor", bound.Oidc!.Subject);

        // Another subject with the same address at the provider is not the same person.
        var second = await OidcProvider.AccessTokenAsync($"{name}+vg.auditor,vg.security");
        await (await app.ClientFor(second).GetAsync("/v1/me")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");

        // An address the provider has not verified binds nobody.
        var unverified = Actors.Unique("unverified-ann");
        await _actors.Admin.PostOk<PrincipalView>("/v1/staff", new { name = Actors.Unique("Ann Auditor"), roles = new[] { "auditor" }, oidc = new { issuer = OidcProvider.Issuer, email = $"{unverified}@example.test" } });
        await (await app.ClientFor(await OidcProvider.AccessTokenAsync($"{unverified}+vg.auditor")).GetAsync("/v1/me"))
            .AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Registration_names_a_trusted_issuer_one_person_once_and_never_a_pipeline()
    {
        var subject = Actors.Unique("kim");
        await (await _actors.Admin.PostAsJsonAsync("/v1/staff", new { name = Actors.Unique("Kim"), roles = new[] { "auditor" }, oidc = new { issuer = "https://idp.attacker.example", subject } }))
            .AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await _actors.Admin.PostAsJsonAsync("/v1/staff", new { name = Actors.Unique("Kim"), roles = new[] { "auditor" }, oidc = new { issuer = OidcProvider.Issuer } }))
            .AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await _actors.Admin.PostAsJsonAsync("/v1/staff", new { name = Actors.Unique("Pipeline"), roles = new[] { "contributor" }, service = true, oidc = new { issuer = OidcProvider.Issuer, subject } }))
            .AssertProblem(HttpStatusCode.BadRequest, "validation");
        await _actors.Admin.PostOk<PrincipalView>("/v1/staff", new { name = Actors.Unique("Kim"), roles = new[] { "auditor" }, oidc = new { issuer = OidcProvider.Issuer, subject } });
        await (await _actors.Admin.PostAsJsonAsync("/v1/staff", new { name = Actors.Unique("Kim Again"), roles = new[] { "admin" }, oidc = new { issuer = OidcProvider.Issuer, subject } }))
            .AssertProblem(HttpStatusCode.Conflict, "oidc-taken");
    }

    private static byte[] Base64UrlDecode(string s) => Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/').PadRight(s.Length + (4 - s.Length % 4) % 4, '='));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public sealed class OidcEmbeddedGateway : EmbeddedGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings.Concat(OidcTests<OidcEmbeddedGateway>.OidcSettings));
}

public sealed class OidcProductionGateway : ProductionGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings.Concat(OidcTests<OidcProductionGateway>.OidcSettings));
}

public sealed class OidcOnEmbedded(OidcEmbeddedGateway app) : OidcTests<OidcEmbeddedGateway>(app);

public sealed class OidcOnProduction(OidcProductionGateway app) : OidcTests<OidcProductionGateway>(app);
