using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Attestations;

/// <summary>
/// The receipt of a received batch: an in-toto statement whose subject is the batch digest and whose predicate
/// (<see cref="PredicateType"/>) says who sent what, why and under which licence, in a DSSE envelope stored at
/// <c>attestations/batches/{id}/receipt.dsse.json</c>, signed by <see cref="AttestJob"/>. A vendor-signed batch's
/// receipt counter-signs exactly the statement prepared before the upload, with the key pinned then.
/// </summary>
public sealed class ReceiptAttestation(VendorGateDb db, SigningKeyRegistry keys) : IAttestationKind
{
    public const string PredicateType = "https://vendorgate.dev/attestations/batch-receipt/v1";

    public static string BlobName(Guid batchId) => $"attestations/batches/{batchId}/receipt.dsse.json";

    /// <summary>The name its jobs carry.</summary>
    public const string Kind = "receipt";

    public string Name => Kind;

    public async Task<AttestationWork?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var batchId = Guid.Parse(id);
        var batch = await db.Batches.FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch is null)
        {
            return null;
        }
        batch.AttestationBlob = BlobName(batchId);
        var work = new AttestationWork(batch.Receipt, BlobName(batchId), "batch.attest", $"batch:{batchId}",
            async key => (await BuildStatementAsync(batch, batch.Digest!, batch.Count!.Value, batch.ReceivedAt!.Value, key.Kid, cancellationToken)).ToCanonicalJson());
        return batch.VendorSignature is null ? work : work with
        {
            Statement = _ => Task.FromResult(System.Text.Encoding.UTF8.GetBytes(batch.PreparedStatement!)),
            PinnedKey = batch.Receipt.IsPending ? await keys.FindAsync(batch.PreparedKeyId!, cancellationToken) : null,
            Signatures = [new EnvelopeSignature(batch.VendorSignatureKeyId!, Convert.FromBase64String(batch.VendorSignature))],
        };
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
