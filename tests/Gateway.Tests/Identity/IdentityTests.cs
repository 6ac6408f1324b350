using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Client;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Identity;

public abstract class IdentityTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Theory]
    [InlineData(null, "An API key is required")]
    [InlineData("not-a-key", "malformed")]
    [InlineData("vg_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not known")]
    public async Task MissingMalformedOrUnknownKeyIs401Problem(string? token, string reason)
    {
        var response = await app.ClientFor(token).GetAsync("/v1/vendors");

        var problem = await response.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(reason, problem.Detail);
    }

    [Fact]
    public async Task RightKeyIdWithWrongSecretIsRejected()
    {
        var vendor = await _actors.NewVendorAsync();
        var token = await _actors.NewTokenAsync(vendor.AnnotatorId);
        var forged = token[..^4] + (token.EndsWith("AAAA") ? "BBBB" : "AAAA");

        var response = await app.ClientFor(forged).GetAsync("/v1/batches");

        await response.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task RevokedKeyStopsWorkingAtOnce()
    {
        var vendor = await _actors.NewVendorAsync();
        var token = await _actors.NewTokenAsync(vendor.AnnotatorId);
        var client = app.ClientFor(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/batches")).StatusCode);
        var keyId = token.Split('_')[1];

        var revoke = await _actors.Admin.DeleteAsync($"/v1/principals/{vendor.AnnotatorId}/keys/{keyId}");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var problem = await (await client.GetAsync("/v1/batches")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("revoked", problem.Detail);
    }

    [Fact]
    public async Task ExpiredKeyIsRejected()
    {
        var vendor = await _actors.NewVendorAsync();
        var token = await _actors.NewTokenAsync(vendor.AnnotatorId, app.Clock.GetUtcNow().AddHours(1));
        Assert.Equal(HttpStatusCode.OK, (await app.ClientFor(token).GetAsync("/v1/batches")).StatusCode);

        app.Clock.Advance(TimeSpan.FromHours(2));
        var response = await app.ClientFor(token).GetAsync("/v1/batches");

        var problem = await response.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("expired", problem.Detail);
    }

    [Fact]
    public async Task KeysAreStoredOnlyAsHashesAndListedWithoutSecrets()
    {
        var vendor = await _actors.NewVendorAsync();
        var token = await _actors.NewTokenAsync(vendor.AnnotatorId);
        var keyId = token.Split('_')[1];
        var secret = token.Split('_', 3)[2];
        await app.ClientFor(token).GetAsync("/v1/batches");

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<VendorGateDb>().ApiKeys.AsNoTracking().SingleAsync(k => k.Id == keyId);
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), stored.SecretHash);
            Assert.NotNull(stored.LastUsedAt);
        }
        var listing = await _actors.Admin.GetStringAsync($"/v1/principals/{vendor.AnnotatorId}/keys");
        Assert.Contains(keyId, listing);
        Assert.DoesNotContain(secret, listing);
        Assert.Contains("lastUsedAt\":\"", listing);
    }

    [Fact]
    public async Task BootstrapKeyFileIsReadableOnlyByItsOwner()
    {
        var mode = File.GetUnixFileMode(Path.Combine(app.DataDir, "bootstrap-admin.key"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.StartsWith("vg_", app.AdminToken);
    }

    [Fact]
    public async Task StaffCannotHoldAVendorRole()
    {
        var response = await _actors.Admin.PostAsJsonAsync("/v1/staff", new { name = Actors.Unique("mixed"), roles = new[] { "maintainer", "annotator" } });

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.Contains("vendor role", HttpExtensions.Canonical(problem.Errors));
    }

    [Fact]
    public async Task AnnotatorCallingAStaffEndpointIsForbidden()
    {
        var vendor = await _actors.NewVendorAsync();

        var createVendor = await vendor.Annotator.PostAsJsonAsync("/v1/vendors", new { name = "x", jurisdiction = "DE", contactEmail = "a@b.example" });
        var audit = await vendor.Annotator.GetAsync("/v1/audit");

        await createVendor.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await audit.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task AdminCannotUploadBatches()
    {
        var response = await _actors.Admin.PostAsJsonAsync("/v1/batches", new
        {
            justification = HttpExtensions.Justification, license = "MIT", source = "internal", declaredDomains = new[] { "billing" },
        });

        await response.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task VendorAdminManagesOnlyItsOwnVendorsRoster()
    {
        var mine = await _actors.NewVendorAsync();
        var theirs = await _actors.NewVendorAsync();
        var vendorAdmin = await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{mine.VendorId}/admins", new { handle = Actors.Unique("va") });
        var client = app.ClientFor(await _actors.NewTokenAsync(vendorAdmin.Id));

        var ownAnnotator = await client.PostAsJsonAsync($"/v1/vendors/{mine.VendorId}/annotators", new { handle = Actors.Unique("a") });
        var foreignAnnotator = await client.PostAsJsonAsync($"/v1/vendors/{theirs.VendorId}/annotators", new { handle = Actors.Unique("a") });
        var foreignKey = await client.PostAsJsonAsync($"/v1/principals/{theirs.AnnotatorId}/keys", new { });
        var foreignVendor = await client.GetAsync($"/v1/vendors/{theirs.VendorId}");
        var vendors = await client.GetOk<VendorViewPage>("/v1/vendors");

        Assert.Equal(HttpStatusCode.Created, ownAnnotator.StatusCode);
        await foreignAnnotator.AssertProblem(HttpStatusCode.NotFound, "not-found");
        await foreignKey.AssertProblem(HttpStatusCode.NotFound, "not-found");
        await foreignVendor.AssertProblem(HttpStatusCode.NotFound, "not-found");
        var only = Assert.Single(vendors.Items);
        Assert.Equal(mine.VendorId, only.Id);
    }

    [Fact]
    public async Task JobsDashboardIsForAdminsOnly()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");

        var admin = await _actors.Admin.GetAsync("/hangfire");
        var staff = await maintainer.GetAsync("/hangfire");
        var annotator = await vendor.Annotator.GetAsync("/hangfire");
        var anonymous = await app.ClientFor(null).GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("Hangfire", await admin.Content.ReadAsStringAsync());
        await staff.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await annotator.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await anonymous.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task DuplicateHandleInOneVendorIsAConflict()
    {
        var vendor = await _actors.NewVendorAsync();
        var handle = Actors.Unique("dup");
        await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendor.VendorId}/annotators", new { handle });

        var again = await _actors.Admin.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/annotators", new { handle });

        await again.AssertProblem(HttpStatusCode.Conflict, "handle-taken");
    }
}

public sealed class IdentityOnEmbedded(EmbeddedGateway app) : IdentityTests<EmbeddedGateway>(app);

public sealed class IdentityOnProduction(ProductionGateway app) : IdentityTests<ProductionGateway>(app);
