using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using JsonWebKeySet = VendorGate.Attest.Signing.JsonWebKeySet;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Reviews;

public abstract class ReviewTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    /// <summary>A scanned batch of one example; <paramref name="duplicate"/>: that example five times, which blocks.</summary>
    private async Task<(VendorActors Vendor, Guid Id)> ScannedBatchAsync(string[]? domains = null, bool duplicate = false)
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync(domains)).Id;
        var example = new { prompt = Actors.Unique("p"), completion = "c" };
        await vendor.Annotator.UploadAsync(id, duplicate ? Lines(example, example, example, example, example) : Lines(example));
        await vendor.Annotator.WaitForScanAsync(id);
        await vendor.Annotator.WaitForAttestationAsync(id);
        return (vendor, id);
    }

    private static Task<HttpResponseMessage> Approve(HttpClient client, Guid id) =>
        client.PostAsJsonAsync($"/v1/batches/{id}/reviews", new { decision = "approve", comment = "looks right" });

    [Fact]
    public async Task OnlyMaintainersReviewAndOnlySecurityOverrides()
    {
        var (vendor, id) = await ScannedBatchAsync();
        var vendorAdmin = await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendor.VendorId}/admins", new { handle = Actors.Unique("va") });
        var callers = new Dictionary<string, HttpClient>
        {
            ["annotator"] = vendor.Annotator,
            ["vendor-admin"] = app.ClientFor(await _actors.NewTokenAsync(vendorAdmin.Id)),
            ["admin"] = _actors.Admin,
        };
        foreach (var role in new[] { "contributor", "security", "procurement", "auditor", "maintainer" })
        {
            callers[role] = (await _actors.NewStaffAsync(role)).Client;
        }

        foreach (var (role, client) in callers.Where(c => c.Key != "maintainer"))
        {
            await (await Approve(client, id)).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        }
        foreach (var (role, client) in callers.Where(c => c.Key != "security"))
        {
            var response = await client.PostAsJsonAsync($"/v1/batches/{id}/overrides", new { findingCodes = new[] { "x" }, justification = Justification });
            await response.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        }
        var securityOnReviewable = await callers["security"].PostAsJsonAsync($"/v1/batches/{id}/overrides", new { findingCodes = new[] { "x" }, justification = Justification });
        await securityOnReviewable.AssertProblem(HttpStatusCode.Conflict, "not-quarantined");
        await (await app.ClientFor(null).PostAsJsonAsync($"/v1/batches/{id}/reviews", new { decision = "approve" })).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");

        var approved = await Approve(callers["maintainer"], id);

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("approved", (await approved.Json<BatchView>()).Status);
    }

    [Fact]
    public async Task NobodyApprovesTheirOwnBatch()
    {
        var (submitterId, submitter) = await _actors.NewStaffAsync("contributor", "maintainer");
        var id = (await submitter.PostOk<BatchView>("/v1/batches", new
        {
            justification = Justification, license = "MIT", source = "internal", declaredDomains = new[] { "billing" },
        })).Id;
        await submitter.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
        await submitter.WaitForScanAsync(id);
        var (_, other) = await _actors.NewStaffAsync("maintainer");

        var own = await Approve(submitter, id);
        var someoneElse = await Approve(other, id);

        var problem = await own.AssertProblem(HttpStatusCode.Forbidden, "two-person-rule");
        Assert.Contains("someone else", problem.Detail);
        Assert.Equal(HttpStatusCode.OK, someoneElse.StatusCode);
        var batch = await someoneElse.Json<BatchView>();
        Assert.Equal("approved", batch.Status);
        Assert.NotEqual(submitterId, batch.Reviews[0].ReviewerId);
    }

    [Fact]
    public async Task AQuarantinedBatchNeedsASecurityOverrideAndTheApprovalStatementSaysSo()
    {
        var (vendor, id) = await ScannedBatchAsync(duplicate: true);
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, security) = await _actors.NewStaffAsync("security");
        Assert.Equal("quarantined", (await vendor.Annotator.Typed().GetBatchAsync(id)).Status);

        var tooEarly = await Approve(maintainer, id);
        var wrongCode = await security.PostAsJsonAsync($"/v1/batches/{id}/overrides", new { findingCodes = new[] { "pii" }, justification = Justification });
        var shortReason = await security.PostAsJsonAsync($"/v1/batches/{id}/overrides", new { findingCodes = new[] { "duplicate-in-batch" }, justification = "fine" });
        var overridden = await security.PostOk<BatchView>($"/v1/batches/{id}/overrides", new
        {
            findingCodes = new[] { "duplicate-in-batch" }, justification = "The repeat is a deliberate weighting agreed with the vendor.",
        });
        var approved = await Approve(maintainer, id);

        await tooEarly.AssertProblem(HttpStatusCode.Forbidden, "quarantined");
        Assert.Contains("pii", Canonical((await wrongCode.AssertProblem(HttpStatusCode.BadRequest, "validation")).Errors));
        await shortReason.AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.Equal("in-review", overridden.Status);
        Assert.Equal("duplicate-in-batch", overridden.Overrides[0].FindingCodes[0]);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var envelope = await WaitForApprovalAsync(vendor.Annotator, id);
        var jwks = JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        Assert.True(new EnvelopeVerifier(jwks.Keys).TryVerify(envelope).Valid);
        var statement = Statement.Parse(envelope.Payload);
        Assert.Equal("https://vendorgate.dev/attestations/batch-approval/v1", statement.PredicateType);
        Assert.Equal("duplicate-in-batch", statement.Predicate["overrides"]![0]!["findingCodes"]![0]!.GetValue<string>());
        Assert.Equal("approve", statement.Predicate["reviews"]![0]!["decision"]!.GetValue<string>());
        Assert.Equal("block", statement.Predicate["scan"]!["findings"]![0]!["severity"]!.GetValue<string>());
        var batch = await vendor.Annotator.Typed().GetBatchAsync(id);
        Assert.Equal(batch.Attestation!.Digest, statement.Predicate["receipt"]!["digest"]!.GetValue<string>());
        var bundle = (await vendor.Annotator.GetStringAsync($"/v1/batches/{id}/attestation?kind=bundle")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["https://vendorgate.dev/attestations/batch-receipt/v1", "https://vendorgate.dev/attestations/batch-approval/v1"],
            bundle.Select(l => Statement.Parse(Envelope.Parse(System.Text.Encoding.UTF8.GetBytes(l)).Payload).PredicateType));
    }

    [Fact]
    public async Task ASensitiveDomainNeedsTwoDistinctApprovals()
    {
        var (_, id) = await ScannedBatchAsync(domains: ["medical"]);
        var (_, first) = await _actors.NewStaffAsync("maintainer");
        var (_, second) = await _actors.NewStaffAsync("maintainer");

        var one = await (await Approve(first, id)).Json<BatchView>();
        var again = await Approve(first, id);
        var two = await (await Approve(second, id)).Json<BatchView>();

        Assert.Equal("in-review", one.Status);
        await again.AssertProblem(HttpStatusCode.Conflict, "already-approved");
        Assert.Equal("approved", two.Status);
        Assert.Equal(2, two.Reviews.Count);
    }

    [Fact]
    public async Task ConcurrentApprovalsOfASensitiveBatchAreBothCounted()
    {
        var (vendor, id) = await ScannedBatchAsync(domains: ["medical"]);
        var maintainers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => _actors.NewStaffAsync("maintainer")));

        var responses = await Task.WhenAll(maintainers.Select(m => Approve(m.Client, id)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var batch = await vendor.Annotator.Typed().GetBatchAsync(id);
        Assert.Equal("approved", batch.Status);
    }

    [Fact]
    public async Task RejectionNeedsAReasonAndIsFinal()
    {
        var (vendor, id) = await ScannedBatchAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, other) = await _actors.NewStaffAsync("maintainer");

        var noReason = await maintainer.PostAsJsonAsync($"/v1/batches/{id}/reviews", new { decision = "reject" });
        var rejected = await maintainer.PostOk<BatchView>($"/v1/batches/{id}/reviews", new { decision = "reject", comment = "Off-topic for billing." });
        var late = await Approve(other, id);
        var approval = await vendor.Annotator.GetAsync($"/v1/batches/{id}/attestation?kind=approval");

        await noReason.AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.Equal("rejected", rejected.Status);
        Assert.Equal("Off-topic for billing.", rejected.Reviews[0].Comment);
        await late.AssertProblem(HttpStatusCode.Conflict, "already-decided");
        await approval.AssertProblem(HttpStatusCode.Conflict, "attestation-pending");
    }

    private static async Task<Envelope> WaitForApprovalAsync(HttpClient client, Guid id)
    {
        await PollAsync(() => client.Typed().GetBatchAsync(id), b => b.Approval?.State == "signed", $"batch {id}'s approval to be signed");
        return Envelope.Parse(await client.GetByteArrayAsync($"/v1/batches/{id}/attestation?kind=approval"));
    }
}

public sealed class ReviewOnEmbedded(EmbeddedGateway app) : ReviewTests<EmbeddedGateway>(app);

public sealed class ReviewOnProduction(ProductionGateway app) : ReviewTests<ProductionGateway>(app);
