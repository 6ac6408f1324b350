using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Playwright;

namespace VendorGate.Portal.Tests;

/// <summary>The Portal in a real headless Chromium, as people use it.</summary>
public sealed class PortalTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    private async Task<IPage> SignedInAsync(string token)
    {
        var context = await portal.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.Portal.Address.ToString(), AcceptDownloads = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        Assert.EndsWith("/SignIn?ReturnUrl=%2F", page.Url);
        await page.GetByLabel("API key").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/SignIn"));
        return page;
    }

    private async Task<(Guid Id, string Name)> NonCompliantVendorAsync()
    {
        var name = Unique("Acme Labelling");
        var vendor = (await portal.PostAsync(portal.Admin, "/v1/vendors", new { name, jurisdiction = "DE", contactEmail = "ops@acme.example" })).GetProperty("id").GetGuid();
        var staff = await portal.PostAsync(portal.Admin, "/v1/staff", new { name = Unique("proc"), roles = new[] { "procurement" } });
        var procurement = portal.Client(await portal.TokenAsync(staff.GetProperty("id").GetGuid()));
        var form = new MultipartFormDataContent
        {
            { new StringContent("soc2-type2"), "kind" }, { new StringContent("2025-01-01"), "issuedAt" }, { new StringContent("2026-01-01"), "expiresAt" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("%PDF expired SOC 2")), "file", "soc2.pdf" },
        };
        var evidence = await (await procurement.PostAsync($"/v1/vendors/{vendor}/evidence", form)).Content.ReadAsStringAsync();
        var id = System.Text.Json.JsonDocument.Parse(evidence).RootElement.GetProperty("id").GetGuid();
        await portal.PostAsync(procurement, $"/v1/vendors/{vendor}/evidence/{id}/verification", new { });
        return (vendor, name);
    }

    [Fact]
    public async Task Procurement_sees_a_non_compliant_vendor_and_why_and_downloads_its_signed_report()
    {
        var (vendorId, name) = await NonCompliantVendorAsync();
        var staff = await portal.PostAsync(portal.Admin, "/v1/staff", new { name = Unique("paula"), roles = new[] { "procurement" } });
        var page = await SignedInAsync(await portal.TokenAsync(staff.GetProperty("id").GetGuid()));

        await page.GetByRole(AriaRole.Link, new() { Name = "Vendors", Exact = true }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = name });
        Assert.Equal("non-compliant", await row.Locator(".badge").InnerTextAsync());
        Assert.Contains("A valid, unexpired SOC 2 Type II report", await row.InnerTextAsync());
        // Failing vendors come first: no compliant or unassessed vendor is listed above a non-compliant one.
        var badges = await page.Locator("tbody .badge").AllInnerTextsAsync();
        Assert.Equal(badges.OrderBy(b => b == "non-compliant" ? 0 : b == "at-risk" ? 1 : b == "unassessed" ? 2 : 3), badges);
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "procurement-vendors.png"), FullPage = true });

        await row.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await page.WaitForURLAsync($"**/Vendors/{vendorId}");
        var soc2 = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "SOC 2 Type II" });
        Assert.Equal("not met", await soc2.Locator(".unmet").InnerTextAsync());
        Assert.Contains("expired on 2026-01-01", await soc2.InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "procurement-vendor.png"), FullPage = true });

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the signed attestation report (PDF)" }).ClickAsync());
        var path = Path.Combine(portal.Screenshots, "report.pdf");
        await download.SaveAsAsync(path);
        var pdf = await File.ReadAllBytesAsync(path);
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        Assert.EndsWith(".pdf", download.SuggestedFilename);
        // The Gateway stored exactly this file under its digest, with the signed statement beside it.
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf));
        var auditor = await portal.PostAsync(portal.Admin, "/v1/staff", new { name = Unique("aud"), roles = new[] { "auditor" } });
        var audit = portal.Client(await portal.TokenAsync(auditor.GetProperty("id").GetGuid()));
        Assert.Equal(HttpStatusCode.OK, (await audit.GetAsync($"/v1/vendors/{vendorId}/reports/{hex}/attestation")).StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/SignIn");
        await page.GotoAsync("/Vendors");
        Assert.Contains("/SignIn", page.Url);
    }

    [Fact]
    public async Task An_annotator_sees_none_of_the_staff_pages()
    {
        var (vendorId, _) = await NonCompliantVendorAsync();
        var annotator = await portal.PostAsync(portal.Admin, $"/v1/vendors/{vendorId}/annotators", new { handle = Unique("ann") });
        var page = await SignedInAsync(await portal.TokenAsync(annotator.GetProperty("id").GetGuid()));

        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Vendors", Exact = true }).CountAsync());
        Assert.Contains("has no pages in the Portal", await page.Locator("main").InnerTextAsync());
        var response = await page.GotoAsync("/Vendors");
        Assert.Contains("/Forbidden", page.Url);
        Assert.Contains("Not for your role", await page.Locator("h1").InnerTextAsync());
        await page.GotoAsync($"/Vendors/{vendorId}/Report");
        Assert.Contains("/Forbidden", page.Url);
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.Screenshots, "annotator-forbidden.png") });
        _ = response;
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_forms_need_their_antiforgery_token()
    {
        var context = await portal.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.Portal.Address.ToString() });
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
}
