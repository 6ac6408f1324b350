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

    /// <summary>Its companion: the cut as SLSA Provenance v1 (<see cref="ProvenanceAsync"/>).</summary>
    public static string ProvenanceBlobName(string version) => $"attestations/snapshots/{version}.provenance.dsse.json";

    public const string CutBuildType = "https://vendorgate.dev/snapshot-cut/v1";
    public const string RevocationBuildType = "https://vendorgate.dev/snapshot-revocation/v1";

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
        })
        {
            Companions = [new CompanionStatement(ProvenanceBlobName(version), async _ => (await ProvenanceAsync(snapshot, cancellationToken)).ToCanonicalJson())],
        };
    }

    /// <summary>The snapshot as SLSA Provenance v1: built by this Gateway (a cut, or a revocation's cut without), from
    /// the parent snapshot (its manifest digest) and each batch it added (the batch digest, with its approval's envelope
    /// digest); external parameters are the request (message and batches, or the revocation).</summary>
    public async Task<Statement> ProvenanceAsync(Snapshot snapshot, CancellationToken ct)
    {
        var summary = JsonSerializer.Deserialize<SnapshotSummary>(snapshot.Summary, JsonSerializerOptions.Web)!;
        var parent = snapshot.Parent is null ? null : await db.Snapshots.AsNoTracking().FirstAsync(s => s.Version == snapshot.Parent, ct);
        var ids = summary.AddedBatches.Select(b => b.Id).ToList();
        var digests = await db.Batches.AsNoTracking().Where(b => ids.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.Digest, ct);
        var dependencies = new List<JsonObject>();
        if (parent is not null)
        {
            dependencies.Add(StandardPredicates.Resource($"snapshot:{parent.Version}", $"vendorgate:snapshot:{parent.Version}",
                StandardPredicates.Hex(parent.ManifestDigest), new JsonObject { ["count"] = parent.Count, ["attestation"] = parent.Attestation.Digest }));
        }
        dependencies.AddRange(summary.AddedBatches.Select(b => StandardPredicates.Resource($"batch:{b.Id}", $"vendorgate:batch:{b.Id}",
            StandardPredicates.Hex(digests[b.Id]), new JsonObject { ["added"] = b.Added, ["approvalAttestation"] = b.ApprovalDigest })));
        var (buildType, parameters) = snapshot.RevocationId is { } revocation
            ? (RevocationBuildType, new JsonObject { ["revocationId"] = revocation.ToString(), ["message"] = snapshot.Message })
            : (CutBuildType, new JsonObject
            {
                ["message"] = snapshot.Message,
                ["batchIds"] = new JsonArray(ids.Select(id => (JsonNode)id.ToString()).ToArray()),
            });
        parameters["requestedBy"] = snapshot.CreatedBy.ToString();
        var predicate = StandardPredicates.Provenance(buildType, parameters,
            new JsonObject { ["manifestFormat"] = snapshot.ManifestFormat, ["removed"] = summary.Removed, ["duplicatesSkipped"] = summary.DuplicatesSkipped },
            dependencies, $"snapshot:{snapshot.Version}", snapshot.CreatedAt);
        return new Statement([new Subject($"snapshot:{snapshot.Version}", snapshot.ManifestDigest["sha256:".Length..])],
            StandardPredicates.SlsaProvenance, predicate);
    }

    public static Statement Statement(Snapshot snapshot, string keyId, string auditCheckpoint)
    {
        var predicate = new JsonObject
        {
            ["version"] = snapshot.Version,
            ["parent"] = snapshot.Parent,
            ["message"] = snapshot.Message,
            ["count"] = snapshot.Count,
            ["manifestFormat"] = snapshot.ManifestFormat,
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
