using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;

namespace VendorGate.Attest.Tests.Dsse;

public class SigstoreBundleTests
{
    private static readonly byte[] Statement = """{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"00"}}],"predicateType":"p","predicate":{}}"""u8.ToArray();

    private static (Envelope Envelope, Jwk Key) Signed(ECDsa ec, Envelope? cosigned = null)
    {
        var key = Jwk.FromECDsa(ec);
        var envelope = cosigned ?? new Envelope(Envelope.InTotoPayloadType, Statement, []);
        var signature = ec.SignData(envelope.PreAuthenticationEncoding(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return (envelope.WithSignature(new EnvelopeSignature(key.Kid, signature)), key);
    }

    [Fact]
    public void A_bundle_names_the_key_carries_its_DER_signature_and_verifies_as_the_envelope_does()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (envelope, key) = Signed(ec);

        var json = SigstoreBundle.ToJson(envelope, key);

        using var bundle = JsonDocument.Parse(json);
        Assert.Equal(SigstoreBundle.MediaType, bundle.RootElement.GetProperty("mediaType").GetString());
        Assert.Equal(key.Kid, bundle.RootElement.GetProperty("verificationMaterial").GetProperty("publicKey").GetProperty("hint").GetString());
        Assert.Equal(0, bundle.RootElement.GetProperty("verificationMaterial").GetProperty("tlogEntries").GetArrayLength());
        var sig = Convert.FromBase64String(bundle.RootElement.GetProperty("dsseEnvelope").GetProperty("signatures")[0].GetProperty("sig").GetString()!);
        Assert.True(ec.VerifyData(envelope.PreAuthenticationEncoding(), sig, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.True(SigstoreBundle.IsBundle(json));
        Assert.False(SigstoreBundle.IsBundle(envelope.ToJson()));
        var back = SigstoreBundle.Parse(json);
        Assert.Equal(Statement, back.Payload);
        Assert.True(new EnvelopeVerifier([key]).TryVerify(back).Valid);
    }

    [Fact]
    public void A_co_signed_envelope_becomes_a_bundle_of_the_named_keys_signature_alone()
    {
        using var vendor = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var gateway = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (byVendor, vendorKey) = Signed(vendor);
        var (both, gatewayKey) = Signed(gateway, byVendor);

        var back = SigstoreBundle.Parse(SigstoreBundle.ToJson(both, gatewayKey));

        Assert.Equal([gatewayKey.Kid], back.Signatures.Select(s => s.KeyId));
        Assert.True(new EnvelopeVerifier([gatewayKey, vendorKey]).TryVerify(back).Valid);
        Assert.False(new EnvelopeVerifier([gatewayKey, vendorKey]).TryVerify(back, threshold: 2).Valid);
        Assert.Throws<ArgumentException>(() => SigstoreBundle.ToJson(byVendor, gatewayKey));
    }

    [Fact]
    public void A_tampered_bundle_does_not_verify_and_garbage_is_a_format_error()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (envelope, key) = Signed(ec);
        var json = Encoding.UTF8.GetString(SigstoreBundle.ToJson(envelope, key))
            .Replace(Convert.ToBase64String(Statement), Convert.ToBase64String("""{"_type":"forged"}"""u8.ToArray()));

        Assert.False(new EnvelopeVerifier([key]).TryVerify(SigstoreBundle.Parse(Encoding.UTF8.GetBytes(json))).Valid);
        Assert.Throws<FormatException>(() => SigstoreBundle.Parse("[1]"u8));
        Assert.Throws<FormatException>(() => SigstoreBundle.Parse("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}"u8));
        Assert.Throws<FormatException>(() => SigstoreBundle.Parse("not json"u8));
    }
}
