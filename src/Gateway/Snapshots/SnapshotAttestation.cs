using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Snapshots;

/// <summary>A snapshot's statement, signed by <see cref="AttestJob"/>: subject = the manifest digest; predicate
/// (<see cref="PredicateType"/>) = version, parent, message, count, the batches added (with their approval digests),
/// removals, counts by vendor, annotator and licence, and <c>auditCheckpoint</c>: a signed checkpoint of the audit log up
/// to the cut's entry, so each snapshot pins the log.</summary>
public sealed class SnapshotAttestation(VendorGateDb db, AuditTree tree) : IAttestationKind
{
    public const string PredicateType = "https://vendorgate.dev/attestations/snapshot/v1";

    public static string BlobName(string version) => $"attestations/snapshots/{version}.dsse.json";

    /// <summary>The name its jobs carry.</summary>
    public const string Kind = "snapshot";

    public string Name => Kind;

    public async Task<AttestationWork?> FindAsync(string version, CancellationToken cancellationToken)
    {
        var snapshot = await db.Set<Snapshot>().FirstOrDefaultAsync(s => s.Version == version, cancellationToken);
        if (snapshot is null)
        {
            return null;
        }
        return new AttestationWork(snapshot.Attestation, BlobName(version), "snapshot.attest", $"snapshot:{version}", async key =>
        {
            // The audit log up to and including the cut's own entry, pinned by a checkpoint inside the statement.
            var cutSeq = await db.AuditEntries.AsNoTracking()
                .Where(a => a.Target == $"snapshot:{version}" && (a.Action == "snapshot.cut" || a.Action == "snapshot.cut-without"))
                .Select(a => a.Seq).FirstAsync(cancellationToken);
            var treeSize = await db.AuditEntries.CountAsync(a => a.Seq <= cutSeq, cancellationToken);
            return Statement(snapshot, key.Kid, (await tree.CheckpointAsync(treeSize, key, cancellationToken))!).ToCanonicalJson();
        });
    }

    public static Statement Statement(Snapshot snapshot, string keyId, string auditCheckpoint)
    {
        var predicate = new JsonObject
        {
            ["version"] = snapshot.Version,
            ["parent"] = snapshot.Parent,
            ["message"] = snapshot.Message,
            ["count"] = snapshot.Count,
            ["createdAt"] = Clock.Timestamp(snapshot.CreatedAt),
            ["createdBy"] = snapshot.CreatedBy.ToString(),
            ["summary"] = JsonNode.Parse(snapshot.Summary),
            ["domains"] = JsonNode.Parse(snapshot.Domains),
            ["gateway"] = new JsonObject { ["keyId"] = keyId },
            ["auditCheckpoint"] = auditCheckpoint,
        };
        return new Statement([new Subject($"snapshot:{snapshot.Version}", snapshot.ManifestDigest["sha256:".Length..])], PredicateType, predicate);
    }
}
