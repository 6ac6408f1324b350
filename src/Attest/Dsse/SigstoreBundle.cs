using System.Formats.Asn1;
using System.Text.Encodings.Web;
using System.Text.Json;
using VendorGate.Attest.Signing;

namespace VendorGate.Attest.Dsse;

/// <summary>
/// A DSSE envelope as a key-based Sigstore bundle (<see cref="MediaType"/>): the envelope with one signature, and
/// verification material that names the public key by hint (its key id) instead of a certificate; no transparency-log
/// entry or timestamp. <c>cosign verify-blob-attestation --key</c>, sigstore-js and sigstore-python verify it with
/// that key. A bundle carries exactly one signature: the one by <c>key</c> (a co-signed envelope's other signatures
/// stay in the DSSE form). ECDSA signatures are ASN.1 DER in a bundle, as Sigstore verifiers read them.
/// </summary>
public static class SigstoreBundle
{
    /// <summary>The media type of a v0.3 bundle, in its <c>mediaType</c> and as the HTTP content type.</summary>
    public const string MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";

    /// <summary>The bundle of <paramref name="envelope"/>'s signature by <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The envelope has no signature by the key.</exception>
    public static byte[] ToJson(Envelope envelope, Jwk key)
    {
        var signature = envelope.Signatures.FirstOrDefault(s => s.KeyId == key.Kid)
            ?? throw new ArgumentException($"the envelope has no signature by key '{key.Kid}'", nameof(envelope));
        var sig = key.Kty == "EC" && signature.Signature.Length == 64 ? EcdsaDer(signature.Signature) : signature.Signature;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("mediaType", MediaType);
            writer.WriteStartObject("verificationMaterial");
            writer.WriteStartObject("publicKey");
            writer.WriteString("hint", key.Kid);
            writer.WriteEndObject();
            writer.WriteStartArray("tlogEntries");
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartObject("dsseEnvelope");
            writer.WriteString("payload", Convert.ToBase64String(envelope.Payload));
            writer.WriteString("payloadType", envelope.PayloadType);
            writer.WriteStartArray("signatures");
            writer.WriteStartObject();
            writer.WriteString("sig", Convert.ToBase64String(sig));
            writer.WriteString("keyid", key.Kid);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Whether <paramref name="json"/> is a Sigstore bundle (rather than a bare DSSE envelope).</summary>
    public static bool IsBundle(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("mediaType", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString()!.StartsWith("application/vnd.dev.sigstore.bundle", StringComparison.Ordinal);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The bundle's DSSE envelope, its signature under the key the bundle's hint names (a signature's own
    /// key id, when it has one, wins).</summary>
    /// <exception cref="FormatException">Not a key-based bundle with a DSSE envelope.</exception>
    public static Envelope Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a Sigstore bundle: {e.Message}");
        }
        using var _ = document;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("dsseEnvelope", out var dsse) || dsse.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("not a Sigstore bundle of a DSSE envelope: dsseEnvelope is missing");
        }
        var hint = root.TryGetProperty("verificationMaterial", out var material) && material.ValueKind == JsonValueKind.Object
            && material.TryGetProperty("publicKey", out var publicKey) && publicKey.ValueKind == JsonValueKind.Object
            && publicKey.TryGetProperty("hint", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString()! : "";
        var envelope = Envelope.Parse(JsonSerializer.SerializeToUtf8Bytes(dsse));
        return envelope with { Signatures = [.. envelope.Signatures.Select(s => s.KeyId.Length > 0 ? s : s with { KeyId = hint })] };
    }

    /// <summary>An IEEE P1363 <c>r‖s</c> ECDSA signature as the DER SEQUENCE of two INTEGERs.</summary>
    private static byte[] EcdsaDer(byte[] p1363)
    {
        var half = p1363.Length / 2;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(Minimal(p1363.AsSpan(0, half)));
            writer.WriteIntegerUnsigned(Minimal(p1363.AsSpan(half)));
        }
        return writer.Encode();

        static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> value)
        {
            var start = 0;
            while (start < value.Length - 1 && value[start] == 0)
            {
                start++;
            }
            return value[start..];
        }
    }
}
