using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Canonical;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Webhooks;

namespace VendorGate.Gateway.Revocations;

/// <summary>A revocation's statement, signed by <see cref="AttestJob"/> once <see cref="RevocationJob"/> has cut the
/// snapshot: subject = the revocation record (its canonical predicate, hashed); predicate (<see cref="PredicateType"/>) =
/// who and what was revoked and why, the new snapshot, and the snapshots and models that held the examples. The
/// revocation completes in the same save.</summary>
public sealed class RevocationAttestation(VendorGateDb db, TimeProvider time) : IAttestationKind
{
    public const string PredicateType = "https://vendorgate.dev/attestations/revocation/v1";

    /// <summary>The name its jobs carry.</summary>
    public const string Kind = "revocation";

    public static string BlobName(Guid id) => $"attestations/revocations/{id}.dsse.json";

    public string Name => Kind;

    public async Task<AttestationWork?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var revocation = await db.Set<Revocation>().FirstOrDefaultAsync(r => r.Id == Guid.Parse(id), cancellationToken);
        if (revocation is null)
        {
            return null;
        }
        var snapshot = revocation.NewSnapshot is null ? null : await SnapshotsApi.FindAsync(db, revocation.NewSnapshot, cancellationToken);
        return new AttestationWork(revocation.Attestation, BlobName(revocation.Id), "revocation.complete", $"revocation:{revocation.Id}",
            key => Task.FromResult(Statement(revocation, snapshot, key.Kid).ToCanonicalJson()))
        {
            Then = () =>
            {
                (revocation.Status, revocation.CompletedAt) = (RevocationStatus.Completed, time.Now());
                WebhookEvents.Publish(db, WebhookEvents.RevocationCompleted, null, new
                {
                    revocationId = revocation.Id, revocation.NewSnapshot, revocation.RemovedCount,
                    affectedModels = System.Text.Json.JsonDocument.Parse(revocation.AffectedModels).RootElement,
                }, revocation.CompletedAt.Value);
            },
        };
    }

    private static Statement Statement(Revocation revocation, Snapshot? snapshot, string keyId)
    {
        var predicate = new JsonObject
        {
            ["revocationId"] = revocation.Id.ToString(),
            ["annotatorId"] = revocation.AnnotatorId?.ToString(),
            ["batchId"] = revocation.BatchId?.ToString(),
            ["reason"] = revocation.Reason,
            ["requestedBy"] = revocation.RequestedBy.ToString(),
            ["requestedAt"] = Clock.Timestamp(revocation.RequestedAt),
            ["batches"] = new JsonArray(revocation.Batches.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(b => (JsonNode)b).ToArray()),
            ["newSnapshot"] = snapshot is null ? null : new JsonObject { ["version"] = snapshot.Version, ["manifestDigest"] = snapshot.ManifestDigest },
            ["removedCount"] = revocation.RemovedCount,
            ["affectedSnapshots"] = JsonNode.Parse(revocation.AffectedSnapshots),
            ["affectedModels"] = JsonNode.Parse(revocation.AffectedModels),
            ["gateway"] = new JsonObject { ["keyId"] = keyId },
        };
        // The subject is the revocation record itself: its canonical predicate, hashed.
        var digest = Convert.ToHexStringLower(SHA256.HashData(JsonCanonicalizer.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(predicate))));
        return new Statement([new Subject($"revocation:{revocation.Id}", digest)], PredicateType, predicate);
    }
}
