using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Playwright;

namespace VendorGate.Portal.Tests;

/// <summary>Two Portal instances behind one address share sign-ins: their data-protection keys live in one folder,
/// encrypted with a certificate, and a cookie issued by one is read by the other.</summary>
public sealed class SharedSignInTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vg-keyring-").FullName;
    private ServerProcess _gateway = null!;
    private ServerProcess _first = null!;
    private ServerProcess _second = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private string Keys => Path.Combine(_dir, "keys");

    public async Task InitializeAsync()
    {
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=VendorGate Portal key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var pfx = Path.Combine(_dir, "keyring.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "keyring-test"));

        _gateway = await ServerProcess.StartAsync("Gateway", "/readyz", new Dictionary<string, string> { ["VendorGate__DataDir"] = Path.Combine(_dir, "gateway") });
        Dictionary<string, string> Portal() => new()
        {
            ["Portal__GatewayUrl"] = _gateway.Address.ToString(),
            ["Portal__DataProtection__KeysPath"] = Keys,
            ["Portal__DataProtection__CertificatePath"] = pfx,
            ["Portal__DataProtection__CertificatePassword"] = "keyring-test",
        };
        _first = await ServerProcess.StartAsync("Portal", "/SignIn", Portal());
        _second = await ServerProcess.StartAsync("Portal", "/SignIn", Portal());
        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = PortalFixture.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
    }

    [Fact]
    public async Task A_sign_in_at_one_instance_holds_at_the_other_and_the_keys_on_disk_are_encrypted()
    {
        var admin = (await File.ReadAllTextAsync(Path.Combine(_dir, "gateway", "bootstrap-admin.key"))).Trim();
        var context = await _browser.NewContextAsync(); // cookies are per host, not per port: both instances get it
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_first.Address, "/SignIn").ToString());
        await page.GetByLabel("API key").FillAsync(admin);
        var signedIn = page.WaitForURLAsync(url => !url.Contains("/SignIn"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await signedIn;

        await page.GotoAsync(new Uri(_second.Address, "/").ToString());
        Assert.DoesNotContain("/SignIn", page.Url);
        Assert.Contains("Signed in as bootstrap-admin", await page.Locator("header").InnerTextAsync());

        var ring = Directory.GetFiles(Keys, "key-*.xml");
        Assert.NotEmpty(ring);
        Assert.All(ring, file =>
        {
            var xml = File.ReadAllText(file);
            Assert.Contains("<encryptedSecret", xml);   // sealed with the certificate
            Assert.DoesNotContain("<value>", xml);       // an unencrypted key would be a <value> under <masterKey>
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _gateway.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
