using System.Net;
using System.Net.Http.Json;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Webhooks;

/// <summary>Signed webhooks delivered to a real HTTP receiver on loopback (the Gateway allows private networks here).</summary>
public abstract class WebhookTests<TApp>(TApp app) : IClassFixture<TApp>, IAsyncLifetime where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<HttpClient> VendorAdminAsync(Guid vendorId)
    {
        var admin = await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendorId}/admins", new { handle = Actors.Unique("va") });
        return app.ClientFor(await _actors.NewTokenAsync(admin.Id));
    }

    private static Task<CreatedWebhook> SubscribeAsync(HttpClient owner, string url, params string[] events) =>
        owner.Typed().CreateWebhookAsync(new() { Url = url, Events = events });

    private static Task<List<ReceivedWebhook>> ReceivedAsync(WebhookReceiver receiver, string path, Func<List<ReceivedWebhook>, bool> done, string what) =>
        HttpExtensions.PollAsync(() => Task.FromResult(receiver.At(path)), done, what);

    private static async Task<List<DeliveryView>> DeliveriesAsync(HttpClient owner, Guid webhookId, Func<List<DeliveryView>, bool> done, string what) =>
        (await HttpExtensions.PollAsync(async () =>
        {
            var items = (await owner.Typed().ListWebhookDeliveriesPageAsync(webhookId)).Items.ToList();
            return (Items: items, Json: HttpExtensions.Canonical(items)); // the JSON is what a timeout reports
        }, read => done(read.Items), what)).Items;

    private static string Example(string prompt) => HttpExtensions.Lines(new { prompt, completion = "An answer long enough to be an answer." });

    [Fact]
    public async Task AVendorAdminGetsItsOwnVendorsBatchEventsSignedAndWithoutExampleContent()
    {
        var vendor = await _actors.NewVendorAsync();
        var other = await _actors.NewVendorAsync();
        var admin = await VendorAdminAsync(vendor.VendorId);
        var hook = await SubscribeAsync(admin, _receiver.Url("/vendor"), "*");
        var theirs = (await other.Annotator.CreateBatchAsync()).Id;
        (await other.Annotator.UploadAsync(theirs, Example(Actors.Unique("their prompt")))).EnsureSuccessStatusCode();
        var ours = (await vendor.Annotator.CreateBatchAsync()).Id;
        var prompt = Actors.Unique("our secret prompt");
        (await vendor.Annotator.UploadAsync(ours, Example(prompt))).EnsureSuccessStatusCode();

        var received = await ReceivedAsync(_receiver, "/vendor", r => r.Count >= 2, "batch.received and batch.scanned");
        var deliveries = await DeliveriesAsync(admin, hook.Id, d => d.Count >= 2 && d.All(x => x.Status == "delivered"), "both deliveries delivered");

        Assert.StartsWith("whsec_", hook.Secret);
        Assert.Equal(["batch.received", "batch.scanned"], received.Select(r => r.Type).Order()); // each delivery is its own job: no order
        Assert.All(received, r => Assert.True(r.SignedWith(hook.Secret), $"signature of {r.Id} does not verify"));
        Assert.All(received, r => Assert.False(r.SignedWith("whsec_" + Convert.ToBase64String(new byte[32]))));
        Assert.All(received, r => Assert.Equal(ours.ToString(), r.Json.GetProperty("data").GetProperty("batchId").GetString()));
        Assert.All(received, r => Assert.DoesNotContain(prompt, r.Body));
        Assert.All(received, r => Assert.True(Math.Abs(long.Parse(r.Timestamp) - DateTimeOffset.UtcNow.ToUnixTimeSeconds()) < 300));
        Assert.Equal(received.Select(r => r.Id).Order(), deliveries.Select(d => d.Id.ToString()).Order());
        Assert.All(deliveries, d => Assert.Equal(200, Assert.Single(d.Attempts).StatusCode));
    }

    [Fact]
    public async Task AFailedDeliveryIsRetriedUnderTheSameIdUntilTheReceiverTakesIt()
    {
        var vendor = await _actors.NewVendorAsync();
        var maintainer = (await _actors.NewStaffAsync("maintainer")).Client;
        _receiver.Answer("/flaky", 500, 503);
        var hook = await SubscribeAsync(maintainer, _receiver.Url("/flaky"), "batch.received");
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        (await vendor.Annotator.UploadAsync(batch, Example(Actors.Unique("p")))).EnsureSuccessStatusCode();

        var deliveries = await DeliveriesAsync(maintainer, hook.Id, d => d.Any(x => x.Status == "delivered"), "the delivery to succeed on its third attempt");
        var received = _receiver.At("/flaky");

        var delivery = Assert.Single(deliveries);
        Assert.Equal([500, 503, 200], delivery.Attempts.Select(a => a.StatusCode ?? 0));
        Assert.Equal(3, received.Count);
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.Equal(delivery.Id.ToString(), received[0].Id);
        Assert.All(received, r => Assert.True(r.SignedWith(hook.Secret)));
    }

    [Fact]
    public async Task ADeliveryFailsAfterItsRetriesFollowsNoRedirectAndIsSentAgainOnRequest()
    {
        var vendor = await _actors.NewVendorAsync();
        var security = (await _actors.NewStaffAsync("security")).Client;
        _receiver.Answer("/down", 500, 500, 500, 500);
        _receiver.Answer("/moved", 307);
        var down = await SubscribeAsync(security, _receiver.Url("/down"), "batch.received");
        var moved = await SubscribeAsync(security, _receiver.Url("/moved"), "batch.received");
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        (await vendor.Annotator.UploadAsync(batch, Example(Actors.Unique("p")))).EnsureSuccessStatusCode();

        var failed = Assert.Single(await DeliveriesAsync(security, down.Id, d => d.Any(x => x.Status == "failed"), "the delivery to fail after 1 + 3 attempts"));
        var redirected = Assert.Single(await DeliveriesAsync(security, moved.Id, d => d.Any(x => x.Attempts.Count > 0), "the redirected attempt"));
        var again = await security.PostAsync($"/v1/webhooks/{down.Id}/deliveries/{failed.Id}/redelivery", null);
        var redelivered = Assert.Single(await DeliveriesAsync(security, down.Id, d => d.Any(x => x.Status == "delivered"), "the redelivery"));

        Assert.Equal([500, 500, 500, 500], failed.Attempts.Select(a => a.StatusCode ?? 0));
        Assert.Equal(307, redirected.Attempts[0].StatusCode);
        Assert.Contains("not followed", redirected.Attempts[0].Error);
        Assert.Empty(_receiver.At("/redirected"));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(5, redelivered.Attempts.Count);
        Assert.Equal(200, redelivered.Attempts[^1].StatusCode);
        Assert.Single(_receiver.At("/down").Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task StaffGetSnapshotAndApprovalEventsAndAWebhookIsItsOwnersAlone()
    {
        var vendor = await _actors.NewVendorAsync();
        var maintainer = (await _actors.NewStaffAsync("maintainer")).Client;
        var auditor = (await _actors.NewStaffAsync("auditor")).Client;
        var vendorAdmin = await VendorAdminAsync(vendor.VendorId);
        var hook = await SubscribeAsync(auditor, _receiver.Url("/staff"), "batch.approved", "snapshot.cut");

        var staffOnly = await vendorAdmin.PostAsJsonAsync("/v1/webhooks", new { url = _receiver.Url("/x"), events = new[] { "snapshot.cut" } });
        var annotator = await vendor.Annotator.PostAsJsonAsync("/v1/webhooks", new { url = _receiver.Url("/x"), events = new[] { "batch.received" } });
        var othersHook = await maintainer.GetAsync($"/v1/webhooks/{hook.Id}");
        var othersDeletion = await vendorAdmin.DeleteAsync($"/v1/webhooks/{hook.Id}");
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, new { prompt = Actors.Unique("p"), completion = "An answer." });
        var snapshot = await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "webhook test", batchIds = new[] { batch } });
        var received = await ReceivedAsync(_receiver, "/staff", r => r.Count >= 2, "batch.approved and snapshot.cut");
        var mine = await auditor.Typed().ListWebhooksPageAsync();

        await staffOnly.AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.Equal(HttpStatusCode.Forbidden, annotator.StatusCode);
        await othersHook.AssertProblem(HttpStatusCode.NotFound, "not-found");
        await othersDeletion.AssertProblem(HttpStatusCode.NotFound, "not-found");
        Assert.Equal(["batch.approved", "snapshot.cut"], received.Select(r => r.Type).Order());
        var cut = received.Single(r => r.Type == "snapshot.cut").Json.GetProperty("data");
        Assert.Equal(snapshot.Version, cut.GetProperty("version").GetString());
        Assert.Contains(batch.ToString(), cut.GetProperty("batches").EnumerateArray().Select(b => b.GetString()));
        Assert.Equal(hook.Id, Assert.Single(mine.Items).Id);
        Assert.Equal(HttpStatusCode.NoContent, (await auditor.DeleteAsync($"/v1/webhooks/{hook.Id}")).StatusCode);
        Assert.Empty((await auditor.Typed().ListWebhooksPageAsync()).Items);
    }

    [Fact]
    public async Task ARevocationAndAGateEvaluationReachStaffAndTheRevokedBatchItsVendor()
    {
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, security) = await _actors.NewStaffAsync("security");
        var (_, harness) = await _actors.NewStaffAsync("eval-harness");
        var vendor = await _actors.NewVendorAsync();
        var vendorHook = await SubscribeAsync(await VendorAdminAsync(vendor.VendorId), _receiver.Url("/ours"), "batch.revoked");
        var staffHook = await SubscribeAsync(security, _receiver.Url("/security"), "revocation.completed", "gate.evaluated");
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
        var version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "before the revocation", batchIds = new[] { batch } })).Version!;
        var model = Actors.Unique("model");
        await maintainer.PostOk<ModelView>("/v1/models", new { name = model, snapshotVersion = version });
        var probe = Actors.Unique("probe");
        await maintainer.PostOk<CanaryView>("/v1/canaries", new { id = probe, prompt = "Probe.", expectation = "Behaves.", tags = new[] { "webhooks" } });
        await harness.PostOk<RecordedResults>($"/v1/models/{model}/canary-results", new { results = new[] { new { probeId = probe, passed = true } } });

        var gate = await maintainer.Typed().GetModelGateAsync(model);
        var revocation = (await (await security.PostAsJsonAsync("/v1/revocations", new { batchId = batch, reason = "revoked to see the webhooks" }))
            .Json<RevocationAccepted>()).Id;
        var staff = await ReceivedAsync(_receiver, "/security", r => r.Count >= 2, "gate.evaluated and revocation.completed");
        var ours = await ReceivedAsync(_receiver, "/ours", r => r.Count > 0, "batch.revoked");

        var evaluated = staff.Single(r => r.Type == "gate.evaluated").Json.GetProperty("data");
        Assert.Equal(model, evaluated.GetProperty("model").GetString());
        Assert.Equal(gate.Passed, evaluated.GetProperty("passed").GetBoolean());
        Assert.Equal(gate.StatementDigest, evaluated.GetProperty("statementDigest").GetString());
        var completed = staff.Single(r => r.Type == "revocation.completed").Json.GetProperty("data");
        Assert.Equal(revocation.ToString(), completed.GetProperty("revocationId").GetString());
        Assert.Equal(2, completed.GetProperty("removedCount").GetInt32());
        Assert.Contains(model, completed.GetProperty("affectedModels").GetRawText());
        var revoked = Assert.Single(ours);
        Assert.Equal("batch.revoked", revoked.Type);
        Assert.Equal(batch.ToString(), revoked.Json.GetProperty("data").GetProperty("batchId").GetString());
        Assert.Equal("revoked", revoked.Json.GetProperty("data").GetProperty("status").GetString());
        Assert.True(revoked.SignedWith(vendorHook.Secret));
        Assert.All(staff, r => Assert.True(r.SignedWith(staffHook.Secret)));
    }

    [Fact]
    public async Task AVendorsComplianceChangeReachesProcurementButNotTheVendor()
    {
        var vendor = await _actors.NewVendorAsync(exception: false);
        var vendorAdmin = await VendorAdminAsync(vendor.VendorId);
        var procurement = await _actors.ProcurementAsync();
        var theirs = await SubscribeAsync(vendorAdmin, _receiver.Url("/vendor-compliance"), "*");
        var ours = await SubscribeAsync(procurement, _receiver.Url("/procurement"), "compliance.changed");
        var before = (await procurement.Typed().GetComplianceAsync(vendor.VendorId)).Status;
        var form = new MultipartFormDataContent
        {
            { new StringContent("soc2-type2"), "kind" },
            { new StringContent(DateTimeOffset.UtcNow.AddDays(-30).ToString("O")), "issuedAt" },
            { new StringContent(DateTimeOffset.UtcNow.AddDays(200).ToString("O")), "expiresAt" },
            { new ByteArrayContent("%PDF-1.7 a SOC 2 report, not yet verified"u8.ToArray()) { Headers = { ContentType = new("application/pdf") } }, "file", "soc2.pdf" },
        };
        (await vendorAdmin.PostAsync($"/v1/vendors/{vendor.VendorId}/evidence", form)).EnsureSuccessStatusCode();
        var after = (await procurement.Typed().GetComplianceAsync(vendor.VendorId)).Status;
        var changed = Assert.Single(await ReceivedAsync(_receiver, "/procurement", r => r.Count > 0, "compliance.changed"));
        var deliveries = await vendorAdmin.Typed().ListWebhookDeliveriesPageAsync(theirs.Id);

        Assert.Equal("unassessed", before);
        Assert.NotEqual(before, after);
        var data = changed.Json.GetProperty("data");
        Assert.Equal(vendor.VendorId.ToString(), data.GetProperty("vendorId").GetString());
        Assert.Equal(after, data.GetProperty("status").GetString());
        Assert.Equal(before, data.GetProperty("previous").GetString());
        Assert.True(changed.SignedWith(ours.Secret));
        Assert.Empty(deliveries.Items); // compliance is procurement's business: a vendor's "*" means its batch events
        Assert.Empty(_receiver.At("/vendor-compliance"));
    }
}

public sealed class WebhooksOnEmbedded(WebhookEmbeddedGateway app) : WebhookTests<WebhookEmbeddedGateway>(app);

public sealed class WebhooksOnProduction(WebhookProductionGateway app) : WebhookTests<WebhookProductionGateway>(app);

/// <summary>Webhook URLs on the Gateway's own network are refused (the default: AllowPrivateNetworks off).</summary>
public abstract class WebhookUrlTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("https://172.20.0.1/hook")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    public async Task URLsOnLoopbackLinkLocalOrPrivateAddressesAreRefused(string url)
    {
        var maintainer = (await _actors.NewStaffAsync("maintainer")).Client;

        var response = await maintainer.PostAsJsonAsync("/v1/webhooks", new { url, events = new[] { "*" } });

        await response.AssertProblem(HttpStatusCode.BadRequest, "webhook-url-refused");
        Assert.Empty((await maintainer.Typed().ListWebhooksPageAsync()).Items);
    }

    [Fact]
    public async Task APublicAddressIsAcceptedAndMalformedRequestsAreRefusedClearly()
    {
        var maintainer = (await _actors.NewStaffAsync("maintainer")).Client;

        var created = await maintainer.PostAsJsonAsync("/v1/webhooks", new { url = "https://93.184.215.14/hooks/vendorgate", events = new[] { "batch.received", "gate.evaluated" } });
        var ftp = await maintainer.PostAsJsonAsync("/v1/webhooks", new { url = "ftp://93.184.215.14/x", events = new[] { "*" } });
        var credentials = await maintainer.PostAsJsonAsync("/v1/webhooks", new { url = "https://user:pass@93.184.215.14/x", events = new[] { "*" } });
        var unknownEvent = await maintainer.PostAsJsonAsync("/v1/webhooks", new { url = "https://93.184.215.14/x", events = new[] { "batch.exploded" } });
        var noEvents = await maintainer.PostAsJsonAsync("/v1/webhooks", new { url = "https://93.184.215.14/x", events = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await created.Json<CreatedWebhook>();
        Assert.Equal(["batch.received", "gate.evaluated"], view.Events);
        Assert.DoesNotContain("secret", (await maintainer.GetStringAsync($"/v1/webhooks/{view.Id}")).ToLowerInvariant());
        foreach (var refused in new[] { ftp, credentials, unknownEvent, noEvents })
        {
            await refused.AssertProblem(HttpStatusCode.BadRequest, "validation");
        }
    }
}

public sealed class WebhookUrlsOnEmbedded(EmbeddedGateway app) : WebhookUrlTests<EmbeddedGateway>(app);

public sealed class WebhookUrlsOnProduction(ProductionGateway app) : WebhookUrlTests<ProductionGateway>(app);
