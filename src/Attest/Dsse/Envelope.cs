using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VendorGate.Attest.Dsse;

/// <summary>One signature of an envelope: the signing key's id and the signature bytes
/// (ECDSA: IEEE P1363 <c>r‖s</c>, 64 bytes for P-256; RSA: the PKCS#1 v1.5 or PSS signature).</summary>
public sealed record EnvelopeSignature(string KeyId, byte[] Signature);

/// <summary>A DSSE envelope. On the wire: <c>{"payload", "payloadType", "signatures": [{"keyid", "sig"}]}</c> with
/// standard base64 (URL-safe base64 is accepted on read).</summary>
public sealed record Envelope(string PayloadType, byte[] Payload, IReadOnlyList<EnvelopeSignature> Signatures)
{
    /// <summary>The payload type of in-toto statements.</summary>
    public const string InTotoPayloadType = "application/vnd.in-toto+json";

    /// <summary>The bytes a signature covers.</summary>
    public byte[] PreAuthenticationEncoding() => Pae.Encode(PayloadType, Payload);

    /// <summary>This envelope with one more signature.</summary>
    public Envelope WithSignature(EnvelopeSignature signature) => this with { Signatures = [.. Signatures, signature] };

    /// <summary>Serializes to DSSE JSON (UTF-8).</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("payload", Convert.ToBase64String(Payload));
            writer.WriteString("payloadType", PayloadType);
            writer.WriteStartArray("signatures");
            foreach (var signature in Signatures)
            {
                writer.WriteStartObject();
                writer.WriteString("keyid", signature.KeyId);
                writer.WriteString("sig", Convert.ToBase64String(signature.Signature));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Parses DSSE JSON.</summary>
    /// <exception cref="FormatException">Not a DSSE envelope.</exception>
    public static Envelope Parse(ReadOnlySpan<byte> json)
    {
        Wire? wire;
        try
        {
            wire = JsonSerializer.Deserialize(json, WireContext.Default.Wire);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a DSSE envelope: {e.Message}");
        }
        if (wire is not { Payload: not null, PayloadType: not null, Signatures: not null })
        {
            throw new FormatException("not a DSSE envelope: payload, payloadType and signatures are required");
        }
        return new Envelope(wire.PayloadType, DecodeBase64(wire.Payload, "payload"),
            wire.Signatures.Select(s => new EnvelopeSignature(s.KeyId ?? "", DecodeBase64(s.Sig ?? "", "sig"))).ToList());
    }

    /// <summary>Decodes standard or URL-safe base64, padded or not.</summary>
    public static byte[] DecodeBase64(string text, string field)
    {
        var normalized = text.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        normalized = normalized.PadRight(normalized.Length + (4 - normalized.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(normalized);
        }
        catch (FormatException)
        {
            throw new FormatException($"{field} is not base64");
        }
    }

    internal sealed record Wire(
        [property: JsonPropertyName("payload")] string? Payload,
        [property: JsonPropertyName("payloadType")] string? PayloadType,
        [property: JsonPropertyName("signatures")] List<WireSignature>? Signatures);

    internal sealed record WireSignature(
        [property: JsonPropertyName("keyid")] string? KeyId,
        [property: JsonPropertyName("sig")] string? Sig);
}

[JsonSerializable(typeof(Envelope.Wire))]
internal sealed partial class WireContext : JsonSerializerContext;
