using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.KeyVault;
using VendorGate.Attest.Signing;
using VendorGate.TestSupport;

namespace VendorGate.Attest.Tests.KeyVault;

public sealed class KeyVaultSignerTests : IAsyncLifetime
{
    private FakeKeyVault _vault = null!;

    public async Task InitializeAsync() => _vault = await FakeKeyVault.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    private KeyVaultSigner Signer(string name, TimeSpan? refresh = null) => new(new Uri(_vault.VaultUri, $"keys/{name}"), _vault.Credential,
        new KeyVaultSignerOptions
        {
            Transport = _vault.Transport,
            CurrentKeyRefresh = refresh ?? TimeSpan.FromMinutes(5),
            Retry = { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(2) },
        });

    private static Envelope Unsigned(string text = "hello") => new(Envelope.InTotoPayloadType,
        new Statement([new Subject("batch:1", new string('c', 64))], "https://vendorgate.dev/t/v1", new JsonObject { ["text"] = text }).ToCanonicalJson(), []);

    [Fact]
    public async Task SignAsync_ChallengeFlow_TokenForTheChallengedTenantAndAnOpenSslVerifiableSignature()
    {
        var kid = _vault.CreateKey("gateway");
        var signer = Signer("gateway");

        var key = await signer.GetCurrentKeyAsync();
        var envelope = await signer.SignAsync(Unsigned(), key);

        Assert.Equal(kid, key.Kid);
        Assert.Equal("ES256", key.Alg);
        var token = Assert.Single(_vault.Credential.Requests.Distinct());
        Assert.Equal(FakeKeyVault.TenantId, token.TenantId);
        Assert.Equal([_vault.VaultUri.GetLeftPart(UriPartial.Authority) + "/.default"], token.Scopes);
        var first = _vault.Log.First();
        Assert.StartsWith("GET /keys/gateway 401 anon", first);
        var (verified, output) = OpenSsl.Verify(key.ToPem(), envelope.PreAuthenticationEncoding(), OpenSsl.ToDer(envelope.Signatures[0].Signature));
        Assert.True(verified, output);
        Assert.True(new EnvelopeVerifier([key]).TryVerify(envelope).Valid);
    }

    [Fact]
    public async Task SignAsync_FirstRequestIsAPost_ItsBodyIsWithheldUntilTheChallengeAndThenSent()
    {
        _vault.CreateKey("gateway");
        var key = await Signer("gateway").GetCurrentKeyAsync();
        var fresh = Signer("gateway"); // a new client has not seen the challenge yet

        await fresh.SignAsync(key, "data"u8.ToArray());

        var signs = _vault.Log.Where(l => l.StartsWith("POST", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, signs.Count);
        Assert.EndsWith("401 anon 0", signs[0]);
        Assert.Contains("200 auth", signs[1]);
    }

    [Fact]
    public async Task SignAsync_Throttled_RetriesAfterTheAnnouncedDelay()
    {
        _vault.CreateKey("gateway");
        var signer = Signer("gateway");
        var key = await signer.GetCurrentKeyAsync();
        _vault.ThrottleNext = 1;

        var clock = Stopwatch.StartNew();
        var envelope = await signer.SignAsync(Unsigned(), key);

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {clock.Elapsed}");
        Assert.Contains(_vault.Log, l => l.Contains(" 429 "));
        Assert.True(new EnvelopeVerifier([key]).TryVerify(envelope).Valid);
    }

    [Fact]
    public async Task SignAsync_VaultDown_FailsAsUnavailableWithTheVaultsStatusAndDelay()
    {
        _vault.CreateKey("gateway");
        var signer = Signer("gateway");
        var key = await signer.GetCurrentKeyAsync();
        _vault.Down = true;

        var e = await Assert.ThrowsAsync<SignerUnavailableException>(() => signer.SignAsync(key, "x"u8.ToArray()));

        Assert.True(e.Transient);
        Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter);
        Assert.Contains("503", e.Message);
        Assert.Equal(503, Assert.IsType<RequestFailedException>(e.InnerException).Status);
    }

    [Fact]
    public async Task SignAsync_UnknownKeyVersion_IsUnavailableForGood()
    {
        _vault.CreateKey("gateway");
        var signer = Signer("gateway");
        var key = await signer.GetCurrentKeyAsync();
        var unknown = key with { Kid = key.Kid[..key.Kid.LastIndexOf('/')] + "/0123456789abcdef" };

        var e = await Assert.ThrowsAsync<SignerUnavailableException>(() => signer.SignAsync(unknown, "x"u8.ToArray()));

        Assert.False(e.Transient);
        Assert.Contains("404", e.Message);
    }

    [Fact]
    public async Task Rotation_NewestVersionSignsAndOldSignaturesStillVerify()
    {
        _vault.CreateKey("gateway");
        var signer = Signer("gateway", refresh: TimeSpan.Zero);
        var oldKey = await signer.GetCurrentKeyAsync();
        var before = await signer.SignAsync(Unsigned("before"), oldKey);

        _vault.CreateKey("gateway");
        var newKey = await signer.GetCurrentKeyAsync();
        var after = await signer.SignAsync(Unsigned("after"), newKey);

        Assert.NotEqual(oldKey.Kid, newKey.Kid);
        Assert.Equal(newKey.Kid, after.Signatures[0].KeyId);
        var verifier = new EnvelopeVerifier([oldKey, await signer.GetKeyAsync(newKey.Kid)]);
        Assert.True(verifier.TryVerify(before).Valid);
        Assert.True(verifier.TryVerify(after).Valid);
        Assert.False(new EnvelopeVerifier([newKey]).TryVerify(before).Valid);
    }

    [Fact]
    public async Task GetCurrentKeyAsync_NewestVersionDisabled_FallsBackToTheNewestEnabled()
    {
        var older = _vault.CreateKey("gateway");
        var newer = _vault.CreateKey("gateway");
        _vault.Disable("gateway", newer);

        var key = await Signer("gateway").GetCurrentKeyAsync();

        Assert.Equal(older, key.Kid);
    }

    [Fact]
    public async Task SignAsync_RsaKey_SignsPs256()
    {
        _vault.CreateKey("gateway-rsa", "RSA");
        var signer = Signer("gateway-rsa");
        var key = await signer.GetCurrentKeyAsync();

        var envelope = await signer.SignAsync(Unsigned(), key);

        Assert.Equal("PS256", key.Alg);
        var (verified, output) = OpenSsl.Verify(key.ToPem(), envelope.PreAuthenticationEncoding(), envelope.Signatures[0].Signature,
            "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest");
        Assert.True(verified, output);
    }

    [Fact]
    public async Task Challenge_ForeignResource_IsRefusedWithoutRequestingAToken()
    {
        _vault.CreateKey("gateway");
        _vault.ChallengeResourceOverride = "https://vault.attacker.example";

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Signer("gateway").GetCurrentKeyAsync());

        Assert.Contains("not the vault's host", e.Message);
        Assert.Empty(_vault.Credential.Requests);
    }
}
