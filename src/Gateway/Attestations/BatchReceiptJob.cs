using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Attestations;

/// <summary>
/// Signs the receipt of a received batch: an in-toto statement whose subject is the batch digest and whose
/// predicate (<see cref="PredicateType"/>) says who sent what, why and under which licence, in a DSSE envelope
/// stored at <c>attestations/batches/{id}/receipt.dsse.json</c>. If the signer fails, the receipt stays
/// <c>pending</c> with the reason, the failure is audited, and Hangfire retries with back-off: it is never
/// signed with another key instead.
/// </summary>
public sealed class BatchReceiptJob(VendorGateDb db, Attestor attestor, SigningKeyRegistry keys, AuditLog audit)
{
    public const string PredicateType = "https://vendorgate.dev/attestations/batch-receipt/v1";

    public static string BlobName(Guid batchId) => $"attestations/batches/{batchId}/receipt.dsse.json";

    [DisableConcurrentExecution("receipt-batch:{0}", 600)]
    public async Task RunAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var batch = await db.Batches.FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch is not { AttestationState: AttestationStates.Pending })
        {
            return;
        }
        // A vendor-signed batch: counter-sign exactly the statement prepared before the upload, with the key pinned then.
        var vendorSigned = batch.VendorSignature is not null;
        var signed = await attestor.SignForJobAsync(BlobName(batchId),
            async key => vendorSigned
                ? System.Text.Encoding.UTF8.GetBytes(batch.PreparedStatement!)
                : (await BuildStatementAsync(batch, batch.Digest!, batch.Count!.Value, batch.ReceivedAt!.Value, key.Kid, cancellationToken)).ToCanonicalJson(),
            "batch.attest", $"batch:{batchId}", error => batch.AttestationError = error,
            vendorSigned ? await keys.FindAsync(batch.PreparedKeyId!, cancellationToken) : null,
            vendorSigned ? [new EnvelopeSignature(batch.VendorSignatureKeyId!, Convert.FromBase64String(batch.VendorSignature!))] : null,
            cancellationToken);

        batch.AttestationState = AttestationStates.Signed;
        batch.AttestationDigest = signed.Digest;
        batch.AttestationBlob = BlobName(batchId);
        batch.AttestationKeyId = signed.KeyId;
        batch.AttestationError = null;
        await audit.RecordAsync(Attestor.Actor, "batch.attest", $"batch:{batchId}", new { digest = signed.Digest, keyId = signed.KeyId }, cancellationToken);
    }

    /// <summary>The statement the receipt signs: the batch as recorded, with its content's digest and count.</summary>
    public async Task<Statement> BuildStatementAsync(Batch batch, string digest, long count, DateTimeOffset receivedAt, string keyId, CancellationToken cancellationToken)
    {
        var submitter = await db.Principals.AsNoTracking().FirstAsync(p => p.Id == batch.SubmitterId, cancellationToken);
        var vendor = batch.VendorId is { } vendorId ? await db.Vendors.AsNoTracking().FirstAsync(v => v.Id == vendorId, cancellationToken) : null;
        var predicate = new JsonObject
        {
            ["batchId"] = batch.Id.ToString(),
            ["parentBatchId"] = batch.ParentBatchId?.ToString(),
            ["vendor"] = vendor is null ? null : new JsonObject { ["id"] = vendor.Id.ToString(), ["name"] = vendor.Name },
            ["submitter"] = new JsonObject { ["id"] = submitter.Id.ToString(), ["handle"] = submitter.Handle, ["kind"] = submitter.Kind },
            ["justification"] = batch.Justification,
            ["license"] = batch.License,
            ["source"] = batch.Source,
            ["declaredDomains"] = new JsonArray(batch.DeclaredDomains.Split(' ').Select(d => (JsonNode)d).ToArray()),
            ["generator"] = batch.Generator is null ? null : JsonNode.Parse(batch.Generator),
            ["count"] = count,
            ["receivedAt"] = Clock.Timestamp(receivedAt),
            ["gateway"] = new JsonObject { ["keyId"] = keyId },
        };
        return new Statement([new Subject($"batch:{batch.Id}", digest["sha256:".Length..])], PredicateType, predicate);
    }
}
