using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using VendorGate.Attest.Canonical;

namespace VendorGate.Attest.Signing;

/// <summary>A public signing key as a JSON Web Key (RFC 7517): EC P-256 (<c>ES256</c>) or RSA (<c>RS256</c>, <c>PS256</c>).
/// <see cref="NotBefore"/> and <see cref="Retired"/> (unix seconds on the wire: <c>nbf</c>, <c>retired</c>) say when it signed.</summary>
public sealed record Jwk(
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("crv"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Crv = null,
    [property: JsonPropertyName("x"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? X = null,
    [property: JsonPropertyName("y"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Y = null,
    [property: JsonPropertyName("n"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? N = null,
    [property: JsonPropertyName("e"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? E = null)
{
    /// <summary>Always <c>sig</c>.</summary>
    [JsonPropertyName("use")]
    public string Use { get; init; } = "sig";

    /// <summary>Unix time the key became the signing key (published at start-up, before its first signature).</summary>
    [JsonPropertyName("nbf")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? NotBefore { get; init; }

    /// <summary>Unix time a newer key took over; the key still verifies what it signed.</summary>
    [JsonPropertyName("retired")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Retired { get; init; }

    /// <summary>The public key of an ECDSA P-256 key.</summary>
    public static Jwk FromECDsa(ECDsa key, string? kid = null)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        if (p.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("only P-256 keys are supported", nameof(key));
        }
        var jwk = new Jwk("", "EC", "ES256", "P-256", Base64Url.EncodeToString(p.Q.X), Base64Url.EncodeToString(p.Q.Y));
        return jwk with { Kid = kid ?? jwk.Thumbprint() };
    }

    /// <summary>The public key of an RSA key (at least 3072 bits), for <c>PS256</c> or <c>RS256</c>.</summary>
    public static Jwk FromRsa(RSA key, string alg = "PS256", string? kid = null)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        var jwk = new Jwk("", "RSA", alg, N: Base64Url.EncodeToString(p.Modulus), E: Base64Url.EncodeToString(p.Exponent));
        return jwk with { Kid = kid ?? jwk.Thumbprint() };
    }

    /// <summary>The RFC 7638 thumbprint (base64url SHA-256 of the required members, canonical JSON).</summary>
    public string Thumbprint()
    {
        object members = Kty == "EC" ? new { crv = Crv, kty = Kty, x = X, y = Y } : new { e = E, kty = Kty, n = N };
        return Base64Url.EncodeToString(SHA256.HashData(JsonCanonicalizer.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(members))));
    }

    /// <summary>Checks <paramref name="signature"/> over <paramref name="data"/> with this key and its algorithm. An ECDSA
    /// signature is IEEE P1363 <c>r‖s</c> (64 bytes, as DSSE envelopes here carry it) or ASN.1 DER (as Sigstore bundles do).</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            switch (Alg)
            {
                case "ES256":
                    using (var ec = ToECDsa())
                    {
                        return ec.VerifyData(data, signature, HashAlgorithmName.SHA256,
                            signature.Length == 64 ? DSASignatureFormat.IeeeP1363FixedFieldConcatenation : DSASignatureFormat.Rfc3279DerSequence);
                    }
                case "RS256" or "PS256":
                    using (var rsa = ToRsa())
                    {
                        return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, Alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
                    }
                default:
                    return false;
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Checks an ECDSA signature in ASN.1 DER form (as signed notes carry it) over <paramref name="data"/>.</summary>
    public bool VerifyDer(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (Alg != "ES256")
        {
            return false;
        }
        try
        {
            using var ec = ToECDsa();
            return ec.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The public key as PEM SubjectPublicKeyInfo (what <c>openssl dgst -verify</c> takes).</summary>
    public string ToPem()
    {
        if (Kty == "EC")
        {
            using var ec = ToECDsa();
            return ec.ExportSubjectPublicKeyInfoPem();
        }
        using var rsa = ToRsa();
        return rsa.ExportSubjectPublicKeyInfoPem();
    }

    private ECDsa ToECDsa() => ECDsa.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = Base64Url.DecodeFromChars(X), Y = Base64Url.DecodeFromChars(Y) },
    });

    private RSA ToRsa() => RSA.Create(new RSAParameters { Modulus = Base64Url.DecodeFromChars(N), Exponent = Base64Url.DecodeFromChars(E) });
}

/// <summary>A JSON Web Key Set: <c>{"keys": [...]}</c>.</summary>
public sealed record JsonWebKeySet([property: JsonPropertyName("keys")] IReadOnlyList<Jwk> Keys)
{
    /// <summary>Parses a JWKS document.</summary>
    /// <exception cref="FormatException">Not a JWKS.</exception>
    public static JsonWebKeySet Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<JsonWebKeySet>(json) is { Keys: not null } set ? set : throw new FormatException("not a JWKS: keys is missing");
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a JWKS: {e.Message}");
        }
    }
}
