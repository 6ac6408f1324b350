using System.Security.Cryptography;
using VendorGate.Attest.Digests;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Attestations;

/// <summary>Signs statements into DSSE envelopes stored as create-only blobs. Every attestation (receipts,
/// approvals) goes through here: the key is recorded in the JWKS before it signs, and an envelope that a previous
/// attempt stored is reused, so a retried job never signs twice.</summary>
public sealed class Attestor(IBlobStore blobs, ISigner signer, SigningKeyRegistry keys, AuditLog audit, ILogger<Attestor> logger)
{
    public const string Actor = "system:signer";

    /// <summary>What a job records once its envelope is stored.</summary>
    public sealed record Signed(string Digest, string KeyId);

    /// <summary>
    /// <see cref="SignAsync"/> for a background job. On failure the short reason goes to <paramref name="recordError"/>, an audit
    /// entry <c>{action}-failed</c> is saved (with the caller's pending changes), and the exception is rethrown so the job is
    /// retried with back-off; the attestation stays pending and is never signed with another key.
    /// </summary>
    public async Task<Signed> SignForJobAsync(string blobName, Func<Jwk, Task<byte[]>> build, string action, string target,
        Action<string> recordError, Jwk? pinnedKey = null, IReadOnlyList<EnvelopeSignature>? existingSignatures = null,
        CancellationToken cancellationToken = default)
    {
        byte[] envelope;
        try
        {
            envelope = await SignAsync(blobName, build, pinnedKey, existingSignatures, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = Describe(e);
            recordError(reason);
            await audit.RecordAsync(Actor, action + "-failed", target, new { error = reason }, CancellationToken.None);
            logger.LogWarning("Signing {Target} failed; it stays pending and will be retried: {Reason}", target, reason);
            throw;
        }
        return new Signed(BatchDigest.Format(SHA256.HashData(envelope)), Envelope.Parse(envelope).Signatures[^1].KeyId);
    }

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

    /// <summary>A short, secret-free reason for an attestation's <c>error</c> field and the audit log (a signer names its
    /// own service's failure in <see cref="SignerUnavailableException"/>).</summary>
    public static string Describe(Exception e)
    {
        var reason = e.Message.Split('\n')[0].Trim();
        return reason.Length > 300 ? reason[..300] : reason;
    }

    private async Task<byte[]?> StoredAsync(string blobName, CancellationToken cancellationToken) =>
        await blobs.ExistsAsync(blobName, cancellationToken) ? await blobs.ReadAllBytesAsync(blobName, cancellationToken) : null;
}
