using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;
using VendorGate.Client;
using VendorGate.TestSupport;

namespace VendorGate.Portal.Tests;

/// <summary>The Portal in a real headless Chromium, as people use it.</summary>
public abstract class PortalTests<TFixture>(TFixture portal) : IClassFixture<TFixture>, IAsyncLifetime where TFixture : PortalFixture
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The browser contexts this test opened (its sign-ins), closed when it ends: the browser is the class's.</summary>
    private readonly List<IBrowserContext> _contexts = [];

    private async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions options)
    {
        var context = await portal.Browser.NewContextAsync(options);
        _contexts.Add(context);
        return context;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    private async Task<IPage> SignedInAsync(string token)
    {
        var context = await NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.Portal.Address.ToString(), AcceptDownloads = true });
        context.SetDefaultTimeout(60_000); // a loaded CI machine is slow, not wrong
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        Assert.EndsWith("/SignIn?ReturnUrl=%2F", page.Url);
        await page.GetByLabel("API key").FillAsync(token);
        await ClickThroughAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }), url => !url.Contains("/SignIn"), "sign-in");
        return page;
    }

    /// <summary>Clicks and waits for the navigation the click starts, listening before the click: waiting for a URL after
    /// the click sometimes missed a navigation that had already happened. If the page never comes, fails with what shows.</summary>
    private async Task ClickThroughAsync(IPage page, ILocator target, Func<string, bool> arrived, string what)
    {
        try
        {
            var navigated = page.WaitForURLAsync(arrived, new() { WaitUntil = WaitUntilState.Commit }); // listening before the click
            await target.ClickAsync();
            await navigated;
        }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, $"{what}-failure.png") });
            throw new TimeoutException($"{what} did not complete: still at {page.Url}, showing: {await page.Locator("main").InnerTextAsync()}");
        }
    }

    private async Task<HttpClient> ProcurementAsync()
    {
        var staff = await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("proc"), roles = new[] { "procurement" } });
        return portal.Client(await portal.TokenAsync(staff.Id));
    }

    private static async Task<Guid> FileAsync(HttpClient procurement, Guid vendor, string kind, string issued, string? expires, string text)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(kind), "kind" }, { new StringContent(issued), "issuedAt" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "file", $"{kind}.pdf" },
        };
        if (expires is not null)
        {
            form.Add(new StringContent(expires), "expiresAt");
        }
        var evidence = await (await procurement.PostAsync($"/v1/vendors/{vendor}/evidence", form)).Content.ReadAsStringAsync();
        return System.Text.Json.JsonSerializer.Deserialize<EvidenceView>(evidence, VendorGateClient.Json)!.Id;
    }

    /// <summary>A vendor whose SOC 2 report has expired (filed by one procurement principal, verified by another), with
    /// a DPA filed but not yet verified.</summary>
    private async Task<(Guid Id, string Name)> NonCompliantVendorAsync()
    {
        var name = Unique("Acme Labelling");
        var vendor = (await portal.PostAsync<VendorView>(portal.Admin, "/v1/vendors", new { name, jurisdiction = "DE", contactEmail = "ops@acme.example" })).Id;
        var filer = await ProcurementAsync();
        var soc2 = await FileAsync(filer, vendor, "soc2-type2", "2025-01-01", "2026-01-01", "%PDF expired SOC 2");
        await portal.PostAsync<EvidenceView>(await ProcurementAsync(), $"/v1/vendors/{vendor}/evidence/{soc2}/verification", new { });
        await FileAsync(filer, vendor, "dpa", "2026-01-15", null, "%PDF the signed DPA");
        return (vendor, name);
    }

    [Fact]
    public async Task Procurement_sees_a_non_compliant_vendor_and_why_and_downloads_its_signed_report()
    {
        var (vendorId, name) = await NonCompliantVendorAsync();
        var staff = await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("paula"), roles = new[] { "procurement" } });
        var page = await SignedInAsync(await portal.TokenAsync(staff.Id));

        await page.GetByRole(AriaRole.Link, new() { Name = "Vendors", Exact = true }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = name });
        Assert.Equal("non-compliant", await row.Locator(".badge").InnerTextAsync());
        Assert.Contains("A valid, unexpired SOC 2 Type II report", await row.InnerTextAsync());
        // Failing vendors come first: no compliant or unassessed vendor is listed above a non-compliant one.
        var badges = await page.Locator("tbody .badge").AllInnerTextsAsync();
        Assert.Equal(badges.OrderBy(b => b == "non-compliant" ? 0 : b == "at-risk" ? 1 : b == "unassessed" ? 2 : 3), badges);
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "procurement-vendors.png"), FullPage = true });

        await ClickThroughAsync(page, row.GetByRole(AriaRole.Link, new() { Name = name }), url => url.EndsWith($"/Vendors/{vendorId}"), "open the vendor");
        var soc2 = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "SOC 2 Type II" });
        Assert.Equal("not met", await soc2.Locator(".unmet").InnerTextAsync());
        Assert.Contains("expired on 2026-01-01", await soc2.InnerTextAsync());
        Assert.Equal(1, await page.GetByRole(AriaRole.Img, new() { Name = "Batches per week by outcome, last twelve weeks" }).CountAsync());

        // Paula verifies the DPA another procurement principal filed; the requirement is met.
        var dpa = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "A data processing agreement on file" });
        Assert.Equal("not met", await dpa.Locator(".unmet").InnerTextAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify dpa" }).ClickAsync();
        Assert.Contains("Verified dpa", await page.GetByRole(AriaRole.Status).InnerTextAsync());
        Assert.Equal("met", (await dpa.Locator("td").Nth(1).InnerTextAsync()).Trim());

        // What she files herself someone else must verify.
        await page.GetByLabel("Kind").SelectOptionAsync("iso27001");
        await page.GetByLabel("Issued on").FillAsync("2026-01-15");
        await page.GetByLabel("Document").SetInputFilesAsync(new FilePayload { Name = "iso.pdf", MimeType = "application/pdf", Buffer = Encoding.UTF8.GetBytes("%PDF ISO 27001 certificate") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        Assert.Contains("Filed iso27001", await page.GetByRole(AriaRole.Status).InnerTextAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify iso27001" }).ClickAsync();
        Assert.Contains("another procurement principal must verify it", await page.GetByRole(AriaRole.Status).InnerTextAsync());

        // Uploads are refused until she grants a time-boxed exception, which the page then lists.
        Assert.Contains("Uploads: refused", await page.Locator("main").InnerTextAsync());
        await page.GetByLabel("Reason").FillAsync("SOC 2 renewal audit booked for next month");
        await page.GetByLabel("Expires on", new() { Exact = true }).FillAsync(PortalFixture.Today.AddDays(30).ToString("yyyy-MM-dd"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant" }).ClickAsync();
        Assert.Contains("Exception granted until", await page.GetByRole(AriaRole.Status).InnerTextAsync());
        Assert.Contains("Uploads: permitted", await page.Locator("main").InnerTextAsync());
        var exception = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "SOC 2 renewal audit booked" });
        Assert.Equal("yes", (await exception.Locator("td").Nth(3).InnerTextAsync()).Trim());
        Assert.Equal(1, await page.GetByRole(AriaRole.Img, new() { Name = "Compliance status per day, last 90 days" }).CountAsync());
        Assert.Contains($"{PortalFixture.Today:yyyy-MM-dd}: non-compliant", await page.GetByRole(AriaRole.List, new() { Name = "Status changes" }).InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "procurement-vendor.png"), FullPage = true });

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the signed attestation report (PDF)" }).ClickAsync());
        var path = Path.Combine(portal.Screenshots, "report.pdf");
        await download.SaveAsAsync(path);
        var pdf = await File.ReadAllBytesAsync(path);
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        Assert.EndsWith(".pdf", download.SuggestedFilename);
        // The Gateway stored exactly this file under its digest, with the signed statement beside it.
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf));
        var auditor = await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("aud"), roles = new[] { "auditor" } });
        var audit = portal.Client(await portal.TokenAsync(auditor.Id));
        Assert.Equal(HttpStatusCode.OK, (await audit.GetAsync($"/v1/vendors/{vendorId}/reports/{hex}/attestation")).StatusCode);

        await ClickThroughAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }), url => url.EndsWith("/SignIn"), "sign-out");
        await page.GotoAsync("/Vendors");
        Assert.Contains("/SignIn", page.Url);
    }

    /// <summary>The sequence number of the one audit entry that matches, read through the API by someone who may.</summary>
    private async Task<long> AuditSeqAsync(string readerToken, Func<AuditEntryView, bool> match)
    {
        using var reader = portal.Client(readerToken);
        return (await reader.Typed().ListAllAuditAsync().SingleAsync(match)).Seq;
    }

    /// <summary>A vendor with a named annotator whose batch is in review (its domain covered by an eval probe).</summary>
    private async Task<(Guid VendorId, Guid AnnotatorId, string Handle, Guid BatchId, HttpClient Maintainer)> BatchInReviewAsync()
    {
        var vendor = (await portal.PostAsync<VendorView>(portal.Admin, "/v1/vendors", new { name = Unique("Vendor"), jurisdiction = "DE", contactEmail = "ops@v.example" })).Id;
        await portal.PostAsync<ExceptionView>(await ProcurementAsync(), $"/v1/vendors/{vendor}/exceptions",
            new { reason = "Onboarding while the vendor's evidence is gathered", expiresAt = PortalFixture.Start.AddDays(30) });
        var handle = Unique("ann");
        var annotator = (await portal.PostAsync<PrincipalView>(portal.Admin, $"/v1/vendors/{vendor}/annotators", new { handle, displayName = "Ann Otator" })).Id;
        var client = portal.Client(await portal.TokenAsync(annotator));
        var maintainerId = (await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("maint"), roles = new[] { "maintainer" } })).Id;
        var maintainer = portal.Client(await portal.TokenAsync(maintainerId));
        Assert.True((await maintainer.PostAsJsonAsync("/v1/canaries", new { id = "billing-1", prompt = "What is the refund policy?", expectation = "States it.", tags = new[] { "billing" } })).IsSuccessStatusCode);
        Assert.True((await maintainer.PutAsJsonAsync("/v1/eval/coverage/billing", new { probeIds = new[] { "billing-1" } })).IsSuccessStatusCode);
        var batch = (await portal.PostAsync<BatchView>(client, "/v1/batches", new
        {
            justification = "Customer-support dialogues for the billing domain", license = "MIT", source = "vendor", declaredDomains = new[] { "billing" },
        })).Id;
        var lines = string.Concat(Enumerable.Range(0, 3).Select(i =>
            $"{{\"prompt\":\"{Unique("How do I pay")}\",\"completion\":\"Open Billing and choose a card.{(i == 1 ? " Or write to billing.help@acme-mail.com." : "")}\"}}\n"));
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(lines));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PutAsync($"/v1/batches/{batch}/content", content)).StatusCode);
        await PortalFixture.WaitAsync(() => client.Typed().GetBatchAsync(batch), b => b.Status == "in-review", "the batch");
        return (vendor, annotator, handle, batch, maintainer);
    }

    [Fact]
    public async Task A_maintainer_approves_a_batch_from_the_queue_seeing_its_findings()
    {
        var (_, _, _, batch, maintainer) = await BatchInReviewAsync();
        var me = await maintainer.Typed().GetMeAsync();
        var page = await SignedInAsync(await portal.TokenAsync(me.Id));

        await page.GetByRole(AriaRole.Link, new() { Name = "Review queue" }).ClickAsync();
        await page.Locator($"a[href='/Reviews/{batch}']").ClickAsync();
        Assert.Contains("Customer-support dialogues", await page.Locator("h1").InnerTextAsync());
        var finding = page.GetByRole(AriaRole.Region, new() { Name = "pii-email" });
        Assert.Contains("e-mail addresses: 1 example(s), the first at line 2", await finding.InnerTextAsync());
        Assert.Contains("billing.help@acme-mail.com", await finding.Locator("pre").InnerTextAsync()); // the flagged line itself
        await page.GetByLabel("Comment (required to reject)").FillAsync("Checked the dialogues; fine to merge.");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "maintainer-review.png"), FullPage = true });
        await ClickThroughAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Approve" }), url => url.EndsWith("/Reviews"), "approve");
        Assert.Contains("Approved", await page.GetByRole(AriaRole.Status).InnerTextAsync());
        var approved = await PortalFixture.WaitAsync(() => maintainer.Typed().GetBatchAsync(batch), b => b.Status == "approved", "the batch");
        Assert.Equal("Checked the dialogues; fine to merge.", approved.Reviews[0].Comment);
        Assert.Equal(0, await page.Locator($"a[href='/Reviews/{batch}']").CountAsync());
        // The batch's page now offers no decision and says why.
        await page.GotoAsync($"/Reviews/{batch}");
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).CountAsync());
        Assert.Contains("You decided already: approve", await page.GetByRole(AriaRole.Note).InnerTextAsync());
    }

    /// <summary>Signs in at the real OpenID provider through its own sign-in page, as a person would.</summary>
    private async Task<IPage> SignedInAtProviderAsync(string login, Func<string, bool> arrived)
    {
        var context = await NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.Portal.Address.ToString() });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await ClickThroughAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Sign in with the test provider" }), url => url.StartsWith(OidcProvider.Issuer), "to-provider");
        await page.Locator("input[name=login]").FillAsync(login);
        await page.Locator("input[name=password]").FillAsync("correct horse");
        await ClickThroughAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Sign-in" }), url => url.StartsWith(portal.Portal.Address.ToString()) && arrived(url), "provider-sign-in");
        return page;
    }

    [Fact]
    public async Task A_maintainer_signs_in_at_the_OpenID_provider_and_approves_with_the_sign_in_on_record()
    {
        var (_, _, _, batch, apiMaintainer) = await BatchInReviewAsync();
        var login = Unique("olga");
        var staff = await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("Olga Maintainer"), roles = new[] { "maintainer" }, oidc = new { issuer = OidcProvider.Issuer, subject = login } });

        var page = await SignedInAtProviderAsync(login, url => !url.Contains("/SignIn"));
        Assert.Contains($"Signed in as {staff.Handle}", await page.Locator("header").InnerTextAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "Review queue" }).ClickAsync();
        await page.Locator($"a[href='/Reviews/{batch}']").ClickAsync();
        await page.GetByLabel("Comment (required to reject)").FillAsync("Signed in at the provider; the dialogues are fine.");
        await ClickThroughAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Approve" }), url => url.EndsWith("/Reviews"), "approve");
        Assert.Contains("Approved", await page.GetByRole(AriaRole.Status).InnerTextAsync());

        await PortalFixture.WaitAsync(() => apiMaintainer.Typed().GetBatchAsync(batch), b => b.Approval?.State == "signed", "the approval");
        var envelope = await apiMaintainer.Typed().GetBatchAttestationAsync(batch, kind: "approval");
        // The statement is the signed in-toto payload (its predicate is documented, not part of the API's schemas).
        var statement = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(envelope.Payload)).RootElement;
        var reviewer = statement.GetProperty("predicate").GetProperty("reviews")[0].GetProperty("reviewer");
        Assert.Equal(staff.Id, reviewer.GetProperty("id").GetGuid());
        Assert.Equal("oidc", reviewer.GetProperty("credential").GetString());
        Assert.Equal(login, reviewer.GetProperty("oidc").GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Someone_the_Gateway_does_not_know_signs_in_at_the_provider_and_is_told_why_they_are_not_in()
    {
        var page = await SignedInAtProviderAsync(Unique("stranger"), url => url.Contains("/SignIn"));
        Assert.Contains("No staff member is registered", await page.GetByRole(AriaRole.Alert).InnerTextAsync());
        await page.GotoAsync("/Audit");
        Assert.Contains("/SignIn", page.Url);
    }

    [Fact]
    public async Task Security_revokes_an_annotator_and_sees_the_new_snapshot_and_the_impact()
    {
        var (vendor, annotator, handle, batch, maintainer) = await BatchInReviewAsync();
        Assert.True((await maintainer.PostAsJsonAsync($"/v1/batches/{batch}/reviews", new { decision = "approve", comment = "ok" })).IsSuccessStatusCode);
        // A snapshot merges approved batches once their approval is signed.
        await PortalFixture.WaitAsync(() => maintainer.Typed().GetBatchAsync(batch), b => b.Approval?.State == "signed", "the approval");
        var version = (await portal.PostAsync<SnapshotView>(maintainer, "/v1/snapshots", new { message = "with the annotator" })).Version;
        var model = Unique("model");
        await portal.PostAsync<ModelView>(maintainer, "/v1/models", new { name = model, snapshotVersion = version });
        var security = (await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("sec"), roles = new[] { "security" } })).Id;
        var securityToken = await portal.TokenAsync(security);
        var page = await SignedInAsync(securityToken);

        await page.GotoAsync($"/Vendors/{vendor}");
        // The weekly chart's numbers are on the page as text: the one batch, accepted (approved and merged).
        var weeks = page.GetByRole(AriaRole.Table, new() { Name = "Batches per week by outcome (week starting Monday)" });
        var rows = new List<IReadOnlyList<string>>();
        foreach (var week in await weeks.Locator("tbody tr").AllAsync())
        {
            rows.Add(await week.Locator("td").AllInnerTextsAsync());
        }
        Assert.Equal(12, rows.Count);
        Assert.Equal((1, 0, 1), (rows.Sum(r => int.Parse(r[1])), rows.Sum(r => int.Parse(r[4])), rows.Sum(r => int.Parse(r[5]))));
        await page.GetByRole(AriaRole.Link, new() { Name = $"Revoke {handle}" }).ClickAsync();
        await page.GetByLabel("Reason (kept in the audit log)").FillAsync("Planted a backdoor trigger in billing dialogues.");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {handle}" }).ClickAsync();
        Assert.Contains($"/Revoke/{annotator}", page.Url); // without the confirmation ticked, the form does not go
        await page.GetByLabel($"I confirm: remove all of {handle}'s contributions.").CheckAsync();
        await ClickThroughAsync(page, page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {handle}" }), url => url.Contains("/Revocations/"), "revoke");
        await page.Locator("#status", new() { HasText = "completed" }).WaitForAsync(new() { Timeout = 60_000 });
        var revocation = new Uri(page.Url).Segments[^1];
        Assert.Equal($"{version.Split('.')[0]}.1", await page.Locator("#new-snapshot").InnerTextAsync());
        Assert.Equal("3", await page.Locator("#removed").InnerTextAsync());
        Assert.StartsWith($"{handle} · ", await page.Locator("#of").InnerTextAsync());   // who, why and by whom, in names
        Assert.EndsWith(" · staff", await page.Locator("#by").InnerTextAsync());
        Assert.Equal("Planted a backdoor trigger in billing dialogues.", await page.Locator("#why").InnerTextAsync());
        Assert.Contains(version, await page.GetByRole(AriaRole.Table).First.InnerTextAsync());
        Assert.Contains(model, await page.GetByRole(AriaRole.Table).Last.InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "security-revocation.png"), FullPage = true });

        await page.GetByRole(AriaRole.Link, new() { Name = "Revocations", Exact = true }).ClickAsync();
        var listed = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Planted a backdoor trigger" });
        Assert.Contains($"{handle} · ", await listed.InnerTextAsync()); // a person: handle and vendor, not an id
        Assert.Contains("1 snapshot(s), 1 model(s)", await listed.InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "security-revocations.png"), FullPage = true });

        // The diff between the two snapshots, blame through the model, and the audit chain.
        var minor = $"{version.Split('.')[0]}.1";
        await page.GetByRole(AriaRole.Link, new() { Name = "Snapshots", Exact = true }).ClickAsync();
        await page.GetByLabel("From", new() { Exact = true }).SelectOptionAsync(version);
        await page.GetByLabel("To", new() { Exact = true }).SelectOptionAsync(minor);
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        Assert.Equal("0 added, 3 removed.", await page.Locator("#totals").InnerTextAsync());
        var byAnnotator = await page.GetByRole(AriaRole.Table, new() { Name = "By annotator" }).InnerTextAsync();
        Assert.Contains($"{handle} · ", byAnnotator); // the annotator as a person, not an id
        Assert.DoesNotContain(annotator.ToString(), byAnnotator);
        Assert.Contains("“", await page.GetByRole(AriaRole.Table, new() { Name = "By batch" }).InnerTextAsync()); // a batch by its justification
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "snapshot-diff.png"), FullPage = true });
        await page.GotoAsync("/Snapshots");
        await page.GetByLabel("Snapshot version or model name").FillAsync(model);
        await page.GetByLabel("Example index (from 0)").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Look up" }).ClickAsync();
        Assert.StartsWith("sha256:", await page.Locator("#digest").InnerTextAsync());
        Assert.False(string.IsNullOrWhiteSpace(await page.Locator("#annotator").InnerTextAsync()));
        await page.GotoAsync($"/Snapshots/Blame?of={model}&index=999999");
        Assert.Contains("There is no example 999999", await page.GetByRole(AriaRole.Alert).InnerTextAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        Assert.Contains("The hash chain verifies", await page.Locator("#verification").InnerTextAsync());
        // The revocation's entry (wherever other tests put it in the log) names the annotator by handle and vendor.
        var seq = await AuditSeqAsync(securityToken, e => e.Action == "revocation.request" && e.Target == $"principal:{annotator}");
        await page.GotoAsync($"/Audit?after={seq - 1}");
        var entry = await page.Locator("tbody tr").First.InnerTextAsync();
        Assert.Contains("revocation.request", entry);
        Assert.Contains($"{handle} · ", entry);
        var completed = await AuditSeqAsync(securityToken, e => e.Action == "revocation.complete" && e.Target == $"revocation:{revocation}");
        await page.GotoAsync($"/Audit?after={completed - 1}");
        Assert.Contains($"revocation of {handle} · ", await page.Locator("tbody tr").First.InnerTextAsync());
        // A batch is named by its justification, and who opened it by handle and vendor.
        var created = await AuditSeqAsync(securityToken, e => e.Action == "batch.create" && e.Target == $"batch:{batch}");
        await page.GotoAsync($"/Audit?after={created - 1}");
        var opened = await page.Locator("tbody tr").First.InnerTextAsync();
        Assert.Contains("batch “Customer-support dialogues for the billing domain”", opened);
        Assert.Contains($"{handle} · ", opened);
        Assert.DoesNotContain(batch.ToString(), opened);
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "audit-log.png"), FullPage = true });
    }

    [Fact]
    public async Task A_vendor_admin_manages_its_own_vendor_roster_invitations_and_evidence_and_sees_no_other_vendor()
    {
        var (vendorId, vendorName) = await NonCompliantVendorAsync();
        var (otherVendor, _) = await NonCompliantVendorAsync();
        var vendorAdmin = await portal.PostAsync<PrincipalView>(portal.Admin, $"/v1/vendors/{vendorId}/admins", new { handle = Unique("va") });
        var page = await SignedInAsync(await portal.TokenAsync(vendorAdmin.Id));
        Assert.Contains($"Signed in as {vendorAdmin.Handle} · {vendorName}", await page.Locator("header").InnerTextAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = "My vendor" }).ClickAsync();
        Assert.Equal(vendorName, await page.Locator("h1").InnerTextAsync());
        Assert.Contains("not met", await page.Locator("main").InnerTextAsync()); // the expired SOC 2 shows to the vendor too

        var handle = Unique("ann");
        await page.GetByLabel("Handle (lower-case letters, digits, hyphens)").FillAsync(handle);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Ana Notator");
        await ClickThroughAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }), url => url.EndsWith($"/Vendors/{vendorId}"), "add-annotator");
        Assert.Contains($"Added {handle}", await page.GetByRole(AriaRole.Status).InnerTextAsync());
        await ClickThroughAsync(page, page.GetByRole(AriaRole.Button, new() { Name = $"Invite {handle}" }), url => url.Contains($"/Vendors/{vendorId}"), "invite");
        var invitation = (await page.Locator("#invitation").InnerTextAsync()).Trim();
        using var anonymous = portal.Client(null);
        var key = await portal.PostAsync<RedeemedKey>(anonymous, "/v1/invitations/redeem", new { invitation });
        var me = await portal.Client(key.Token).Typed().GetMeAsync();
        Assert.Equal(handle, me.Handle);
        Assert.DoesNotContain(key.Token, await page.ContentAsync()); // the key is the annotator's alone

        await page.GetByLabel("Kind").SelectOptionAsync("dpa");
        await page.GetByLabel("Issued on").FillAsync("2026-06-01");
        await page.GetByLabel("Document").SetInputFilesAsync(new FilePayload { Name = "dpa.pdf", MimeType = "application/pdf", Buffer = Encoding.UTF8.GetBytes("%PDF the vendor's DPA") });
        await ClickThroughAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Upload" }), url => url.EndsWith($"/Vendors/{vendorId}"), "vendor-evidence");
        Assert.Contains("Filed dpa", await page.GetByRole(AriaRole.Status).InnerTextAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Verify dpa" }).CountAsync()); // procurement verifies
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "vendor-admin.png"), FullPage = true });

        var other = await page.GotoAsync($"/Vendors/{otherVendor}");
        Assert.Equal(404, other!.Status);
        await page.GotoAsync("/Vendors");
        Assert.Contains("/Forbidden", page.Url);

        // Wherever the Portal shows a person, it shows handle and vendor: the auditor's audit log names the invitation's issuer.
        var auditorId = (await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("Audra Auditor"), roles = new[] { "auditor" } })).Id;
        var auditorToken = await portal.TokenAsync(auditorId);
        var issued = await AuditSeqAsync(auditorToken, e => e.Action == "invitation.create"
            && e.Actor == $"principal:{vendorAdmin.Id}");
        var auditor = await SignedInAsync(auditorToken);
        await auditor.GotoAsync($"/Audit?after={issued - 1}");
        var row = auditor.Locator("tbody tr").First;
        Assert.Contains($"{vendorAdmin.Handle} · {vendorName}", await row.InnerTextAsync());
        Assert.Contains($"{handle} · {vendorName}", await row.InnerTextAsync());
    }

    [Fact]
    public async Task An_admin_opens_the_jobs_dashboard_through_the_Portal_and_nobody_else_does()
    {
        var page = await SignedInAsync(portal.AdminToken);
        var stats = page.WaitForResponseAsync(r => r.Url.Contains("/hangfire/stats") && r.Request.Method == "POST"); // the live counters, a POST
        await ClickThroughAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Jobs", Exact = true }), url => url.Contains("/hangfire"), "jobs");
        Assert.Contains("Hangfire Dashboard", await page.Locator("body").InnerTextAsync());
        Assert.Equal(200, (await stats).Status);
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "jobs-dashboard.png") });

        var auditor = await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("Jobs Auditor"), roles = new[] { "auditor" } });
        var other = await SignedInAsync(await portal.TokenAsync(auditor.Id));
        Assert.Equal(0, await other.GetByRole(AriaRole.Link, new() { Name = "Jobs", Exact = true }).CountAsync());
        await other.GotoAsync("/hangfire");
        Assert.Contains("/Forbidden", other.Url);
    }

    [Fact]
    public async Task Procurement_s_home_page_says_what_needs_attention()
    {
        var (vendorId, vendorName) = await NonCompliantVendorAsync();
        var procurement = await ProcurementAsync();
        await portal.PostAsync<ExceptionView>(procurement, $"/v1/vendors/{vendorId}/exceptions", new { reason = "Uploads while the new SOC 2 report is audited", expiresAt = PortalFixture.Start.AddDays(20) });
        var soon = PortalFixture.Today.AddDays(10).ToString("yyyy-MM-dd");
        await FileAsync(procurement, vendorId, "iso27001", "2025-12-01", soon, "%PDF ISO 27001 certificate");

        // A batch from the non-compliant vendor (recent), quarantined by a known-bad signature.
        var security = portal.Client(await portal.TokenAsync((await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("Sec"), roles = new[] { "security" } })).Id));
        var marker = Unique("known-bad");
        await portal.PostAsync<SignatureView>(security, "/v1/scan/signatures", new { incident = Unique("INC"), kind = "regex", pattern = marker });
        var annotator = (await portal.PostAsync<PrincipalView>(portal.Admin, $"/v1/vendors/{vendorId}/annotators", new { handle = Unique("ann") })).Id;
        var uploader = portal.Client(await portal.TokenAsync(annotator));
        var justification = Unique("Dialogues with a planted marker");
        var batch = (await portal.PostAsync<BatchView>(uploader, "/v1/batches", new { justification, license = "MIT", source = "vendor", declaredDomains = new[] { "billing" } })).Id;
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes($"{{\"prompt\":\"{Unique("p")}\",\"completion\":\"{marker}\"}}\n"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        Assert.Equal(HttpStatusCode.Accepted, (await uploader.PutAsync($"/v1/batches/{batch}/content", content)).StatusCode);
        await PortalFixture.WaitAsync(() => uploader.Typed().GetBatchAsync(batch), b => b.Status == "quarantined", "the batch");

        var me = await procurement.Typed().GetMeAsync();
        var page = await SignedInAsync(await portal.TokenAsync(me.Id));
        var atRisk = page.GetByRole(AriaRole.Region, new() { Name = "Vendors at risk" }).GetByRole(AriaRole.Row).Filter(new() { HasText = vendorName });
        Assert.Contains("non-compliant", await atRisk.InnerTextAsync());
        Assert.EndsWith("1", (await atRisk.InnerTextAsync()).Trim()); // one batch in the last 7 days
        var expiring = page.GetByRole(AriaRole.Region, new() { Name = "Expiring evidence" }).GetByRole(AriaRole.Row).Filter(new() { HasText = vendorName });
        Assert.Contains("iso27001", await expiring.InnerTextAsync());
        Assert.Contains(soon, await expiring.InnerTextAsync());
        var quarantined = page.GetByRole(AriaRole.Region, new() { Name = "Stale quarantine" }).GetByRole(AriaRole.Row).Filter(new() { HasText = justification });
        Assert.Contains(vendorName, await quarantined.InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "procurement-home.png"), FullPage = true });
    }

    [Fact]
    public async Task An_annotator_sees_none_of_the_staff_pages()
    {
        var (vendorId, _) = await NonCompliantVendorAsync();
        var annotator = await portal.PostAsync<PrincipalView>(portal.Admin, $"/v1/vendors/{vendorId}/annotators", new { handle = Unique("ann") });
        var page = await SignedInAsync(await portal.TokenAsync(annotator.Id));

        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Vendors", Exact = true }).CountAsync());
        Assert.Contains("has no pages in the Portal", await page.Locator("main").InnerTextAsync());
        var response = await page.GotoAsync("/Vendors");
        Assert.Contains("/Forbidden", page.Url);
        Assert.Contains("Not for your role", await page.Locator("h1").InnerTextAsync());
        await page.GotoAsync($"/Vendors/{vendorId}/Report");
        Assert.Contains("/Forbidden", page.Url);
        foreach (var staffPage in new[] { "/Reviews", "/Snapshots", "/Audit", $"/Vendors/{vendorId}" })
        {
            await page.GotoAsync(staffPage);
            Assert.Contains("/Forbidden", page.Url);
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "annotator-forbidden.png") });
        _ = response;
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_forms_need_their_antiforgery_token()
    {
        var context = await NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.Portal.Address.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/SignIn");
        await page.GetByLabel("API key").FillAsync("vg_0000000000000000_not-a-real-secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        Assert.Contains("does not accept this key", await page.GetByRole(AriaRole.Alert).InnerTextAsync());

        using var http = new HttpClient { BaseAddress = portal.Portal.Address };
        var forged = await http.PostAsync("/SignIn", new FormUrlEncodedContent(new Dictionary<string, string> { ["Key"] = "vg_x_y" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var signInPage = await http.GetAsync("/SignIn");
        Assert.Contains(signInPage.Headers.GetValues("Set-Cookie"), c => c.Contains("httponly", StringComparison.OrdinalIgnoreCase) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers_and_a_key_is_taken_from_the_form_only_and_never_logged()
    {
        using var http = new HttpClient { BaseAddress = portal.Portal.Address };
        foreach (var path in new[] { "/SignIn", "/site.css", "/no-such-page" })
        {
            var response = await http.GetAsync(path);
            Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        }
        var css = await http.GetAsync("/site.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode); // pages are styled, from a file (no inline styles under the CSP)
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);

        var staff = await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("Query Key"), roles = new[] { "auditor" } });
        var token = await portal.TokenAsync(staff.Id);
        var context = await NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.Portal.Address.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/SignIn?Key={token}");
        await page.GetByLabel("API key").FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        Assert.Contains("in the form only", await page.GetByRole(AriaRole.Alert).InnerTextAsync());
        Assert.Contains("/SignIn", page.Url);
        var secret = token[(token.IndexOf('_', "vg_".Length) + 1)..]; // vg_<keyid>_<secret>; the secret may itself hold '_'
        Assert.True(secret.Length >= 20, token);
        Assert.DoesNotContain(secret, portal.Portal.Output);
        Assert.Contains("Now listening on", portal.Portal.Output); // the log is captured at information level
        // A first start on a fresh database logs no error (EF's "Failed executing DbCommand … __EFMigrationsHistory").
        Assert.DoesNotContain("fail:", portal.Gateway.Output);
    }

    [Fact]
    public async Task A_key_revoked_while_signed_in_signs_the_person_out_with_a_message()
    {
        var staff = await portal.PostAsync<PrincipalView>(portal.Admin, "/v1/staff", new { name = Unique("Revoked Reader"), roles = new[] { "auditor" } });
        var id = staff.Id;
        var token = await portal.TokenAsync(id);
        var page = await SignedInAsync(token);
        Assert.Equal(HttpStatusCode.NoContent, (await portal.Admin.DeleteAsync($"/v1/principals/{id}/keys/{token.Split('_')[1]}")).StatusCode);

        await page.GotoAsync("/Audit");

        Assert.Contains("/SignIn", page.Url);
        Assert.Contains("signed out", await page.GetByRole(AriaRole.Alert).InnerTextAsync());
        await page.GotoAsync("/Audit");
        Assert.Contains("/SignIn", page.Url); // the cookie is gone too
    }
}

public sealed class PortalOnEmbedded(EmbeddedPortal portal) : PortalTests<EmbeddedPortal>(portal);

public sealed class PortalOnProduction(ProductionPortal portal) : PortalTests<ProductionPortal>(portal);
