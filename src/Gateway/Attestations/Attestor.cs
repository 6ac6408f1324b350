using Azure;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Attestations;

/// <summary>Signs statements into DSSE envelopes stored as create-only blobs. Every attestation (receipts,
/// approvals) goes through here: the key is recorded in the JWKS before it signs, and an envelope that a previous
/// attempt stored is reused, so a retried job never signs twice.</summary>
public sealed class Attestor(IBlobStore blobs, ISigner signer, SigningKeyRegistry keys)
{
    /// <summary>The envelope stored at <paramref name="blobName"/>, or a new one: the statement <paramref name="build"/>
    /// makes for the current key, signed by it (after <paramref name="existingSignatures"/>, if any).</summary>
    public async Task<byte[]> SignAsync(string blobName, Func<Jwk, Task<byte[]>> build, Jwk? pinnedKey = null,
        IReadOnlyList<EnvelopeSignature>? existingSignatures = null, CancellationToken cancellationToken = default)
    {
        if (await StoredAsync(blobName, cancellationToken) is { } stored)
        {
            return stored;
        }
        var key = pinnedKey ?? await signer.GetCurrentKeyAsync(cancellationToken);
        await keys.RecordAsync(key, cancellationToken);
        var unsigned = new Envelope(Envelope.InTotoPayloadType, await build(key), existingSignatures ?? []);
        var envelope = (await signer.SignAsync(unsigned, key, cancellationToken)).ToJson();
        await using var upload = await blobs.StartUploadAsync(blobName, cancellationToken);
        await upload.Content.WriteAsync(envelope, cancellationToken);
        await upload.CommitAsync(cancellationToken);
        return envelope;
    }

    /// <summary>A short, secret-free reason for an attestation's <c>error</c> field and the audit log.</summary>
    public static string Describe(Exception e)
    {
        var reason = e switch
        {
            RequestFailedException r => $"the signer answered {r.Status}{(r.ErrorCode is { } code ? $" ({code})" : "")}",
            HttpRequestException h => $"the signer is unreachable: {h.Message}",
            _ => e.Message,
        };
        reason = reason.Split('\n')[0].Trim();
        return reason.Length > 300 ? reason[..300] : reason;
    }

    private async Task<byte[]?> StoredAsync(string blobName, CancellationToken cancellationToken)
    {
        if (!await blobs.ExistsAsync(blobName, cancellationToken))
        {
            return null;
        }
        await using var stream = await blobs.OpenReadAsync(blobName, cancellationToken: cancellationToken);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }
}
