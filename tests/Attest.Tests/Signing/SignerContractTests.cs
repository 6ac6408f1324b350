using System.Text.Json.Nodes;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.KeyVault;
using VendorGate.Attest.Signing;
using VendorGate.TestSupport;

namespace VendorGate.Attest.Tests.Signing;

/// <summary>What every <see cref="ISigner"/> promises, checked the same way on each implementation: a current key
/// with a kid and an algorithm, signatures that the offline verifier (and openssl) accept under that key and only for
/// the bytes signed, and the same current key until it is rotated. A new signer passes this suite first.</summary>
public abstract class SignerContractTests : IAsyncLifetime
{
    protected ISigner Signer { get; private set; } = null!;

    protected abstract Task<ISigner> CreateAsync();

    public async Task InitializeAsync() => Signer = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static Envelope Unsigned(string text) => new(Envelope.InTotoPayloadType,
        new Statement([new Subject("batch:1", new string('d', 64))], "https://vendorgate.dev/t/v1", new JsonObject { ["text"] = text }).ToCanonicalJson(), []);

    [Fact]
    public async Task The_current_key_names_itself_and_stays_current()
    {
        var key = await Signer.GetCurrentKeyAsync();
        var again = await Signer.GetCurrentKeyAsync();

        Assert.False(string.IsNullOrEmpty(key.Kid));
        Assert.Contains(key.Alg, new[] { "ES256", "PS256", "RS256" });
        Assert.Equal(key.Kid, again.Kid);
    }

    [Fact]
    public async Task A_signed_envelope_verifies_under_the_key_offline_and_with_openssl_and_a_changed_payload_does_not()
    {
        var key = await Signer.GetCurrentKeyAsync();
        var envelope = await Signer.SignAsync(Unsigned("the statement"), key);

        var signature = Assert.Single(envelope.Signatures);
        Assert.Equal(key.Kid, signature.KeyId);
        Assert.True(new EnvelopeVerifier([key]).TryVerify(envelope).Valid);
        if (key.Alg == "ES256")
        {
            var (verified, output) = OpenSsl.Verify(key.ToPem(), envelope.PreAuthenticationEncoding(), OpenSsl.ToDer(signature.Signature));
            Assert.True(verified, output);
        }
        var changed = envelope with { Payload = Unsigned("another statement").Payload };
        Assert.False(new EnvelopeVerifier([key]).TryVerify(changed).Valid);
    }
}

public sealed class LocalSignerContract : SignerContractTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vg-signer-contract-").FullName;

    protected override Task<ISigner> CreateAsync() => Task.FromResult<ISigner>(LocalEcdsaSigner.LoadOrCreate(Path.Combine(_dir, "gateway.pem")));

    public override Task DisposeAsync()
    {
        (Signer as IDisposable)?.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>The Key Vault signer against the HTTPS protocol fake (real challenge, real keys and signatures).</summary>
public sealed class KeyVaultSignerContract : SignerContractTests
{
    private FakeKeyVault _vault = null!;

    protected override async Task<ISigner> CreateAsync()
    {
        _vault = await FakeKeyVault.StartAsync();
        _vault.CreateKey("gateway");
        return new KeyVaultSigner(new Uri(_vault.VaultUri, "keys/gateway"), _vault.Credential, new KeyVaultSignerOptions { Transport = _vault.Transport });
    }

    public override async Task DisposeAsync() => await _vault.DisposeAsync();
}
