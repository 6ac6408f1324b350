using System.Security.Cryptography;
using System.Text.Json.Nodes;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;

using VendorGate.TestSupport;

namespace VendorGate.Attest.Tests.Signing;

public sealed class EnvelopeVerifierTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vg-signer-").FullName;

    private static Envelope Unsigned() => new(Envelope.InTotoPayloadType,
        new Statement([new Subject("batch:1", new string('b', 64))], "https://vendorgate.dev/t/v1", new JsonObject { ["n"] = 1 }).ToCanonicalJson(), []);

    private LocalEcdsaSigner NewSigner(string name) => LocalEcdsaSigner.LoadOrCreate(Path.Combine(_dir, name + ".pem"));

    [Fact]
    public async Task LoadOrCreate_NewKey_IsOwnerOnlyAndStableAcrossLoads()
    {
        var path = Path.Combine(_dir, "keys", "gateway.pem");
        using var first = LocalEcdsaSigner.LoadOrCreate(path);
        using var again = LocalEcdsaSigner.LoadOrCreate(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal((await first.GetCurrentKeyAsync()).Kid, (await again.GetCurrentKeyAsync()).Kid);
    }

    [Fact]
    public async Task Sign_LocalKey_VerifiesWithOpenSsl()
    {
        using var signer = NewSigner("a");
        var key = await signer.GetCurrentKeyAsync();
        var envelope = await signer.SignAsync(Unsigned());

        var (verified, output) = OpenSsl.Verify(key.ToPem(), envelope.PreAuthenticationEncoding(), OpenSsl.ToDer(envelope.Signatures[0].Signature));

        Assert.True(verified, output);
        Assert.Equal(64, envelope.Signatures[0].Signature.Length);
    }

    [Fact]
    public async Task Verify_AnyChangedByte_Fails()
    {
        using var signer = NewSigner("a");
        var verifier = new EnvelopeVerifier([await signer.GetCurrentKeyAsync()]);
        var envelope = await signer.SignAsync(Unsigned());
        Assert.True(verifier.TryVerify(envelope).Valid);

        var payload = envelope.Payload.ToArray();
        payload[10] ^= 1;
        var signature = envelope.Signatures[0].Signature.ToArray();
        signature[5] ^= 1;

        Assert.False(verifier.TryVerify(envelope with { Payload = payload }).Valid);
        Assert.False(verifier.TryVerify(envelope with { PayloadType = "application/json" }).Valid);
        Assert.False(verifier.TryVerify(envelope with { Signatures = [envelope.Signatures[0] with { Signature = signature }] }).Valid);
        Assert.Throws<EnvelopeVerificationException>(() => verifier.Verify(envelope with { Payload = payload }));
    }

    [Fact]
    public async Task Verify_Threshold_CountsOnlyDistinctTrustedKeys()
    {
        using var a = NewSigner("a");
        using var b = NewSigner("b");
        using var stranger = NewSigner("stranger");
        var verifier = new EnvelopeVerifier([await a.GetCurrentKeyAsync(), await b.GetCurrentKeyAsync()]);
        var byA = await a.SignAsync(Unsigned());
        var byAAndStranger = await stranger.SignAsync(byA);
        var byATwice = await a.SignAsync(byA);
        var byAAndB = await b.SignAsync(byA);

        Assert.True(verifier.TryVerify(byA, threshold: 1).Valid);
        Assert.False(verifier.TryVerify(byAAndStranger, threshold: 2).Valid);
        Assert.Contains(verifier.TryVerify(byAAndStranger, threshold: 2).Problems, p => p.Contains("not trusted"));
        Assert.False(verifier.TryVerify(byATwice, threshold: 2).Valid);
        var both = verifier.TryVerify(byAAndB, threshold: 2);
        Assert.True(both.Valid);
        Assert.Equal(2, both.VerifiedKeyIds.Count);
    }

    [Fact]
    public void Verify_RsaPss_VerifiesWithOpenSsl()
    {
        using var rsa = RSA.Create(3072);
        var jwk = Jwk.FromRsa(rsa, "PS256");
        var data = "payload"u8.ToArray();
        var signature = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

        Assert.True(jwk.Verify(data, signature));
        var (verified, output) = OpenSsl.Verify(jwk.ToPem(), data, signature, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest");
        Assert.True(verified, output);
    }

    [Fact]
    public void Thumbprint_Rfc7638Example_MatchesRfc()
    {
        // RFC 7638 section 3.1
        var jwk = new Jwk("", "RSA", "RS256",
            N: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            E: "AQAB");

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", jwk.Thumbprint());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
