using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Canonical;
using VendorGate.Attest.Digests;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Revocations;

/// <summary>Completes a revocation: cuts the minor snapshot without the revoked examples, counts (from the manifests)
/// which snapshots and models held them, and signs a statement of all that. Idempotent: re-running finds its snapshot.</summary>
public sealed class RevocationJob(VendorGateDb db, SnapshotCutter cutter, IBlobStore blobs, Attestor attestor, AuditLog audit, TimeProvider time)
{
    public const string PredicateType = "https://vendorgate.dev/attestations/revocation/v1";

    [Hangfire.DisableConcurrentExecution("revocation:{0}", 600)]
    public async Task RunAsync(Guid revocationId, CancellationToken cancellationToken)
    {
        var revocation = await db.Set<Revocation>().FirstOrDefaultAsync(r => r.Id == revocationId, cancellationToken);
        if (revocation is not { Status: RevocationStatus.Pending })
        {
            return;
        }
        var batchIds = revocation.Batches.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToHashSet();
        var snapshot = batchIds.Count == 0 ? null
            : await cutter.CutWithoutAsync(revocationId, batchIds, $"revocation {revocationId}: {revocation.Reason}", revocation.RequestedBy, cancellationToken);

        var affected = await AffectedSnapshotsAsync(batchIds, cancellationToken);
        var versions = affected.Select(a => a.Version).ToList();
        var models = (await db.Set<Model>().AsNoTracking().Where(m => versions.Contains(m.SnapshotVersion)).ToListAsync(cancellationToken))
            .Select(m => new AffectedModel(m.Name, m.SnapshotVersion, affected.First(a => a.Version == m.SnapshotVersion).Count))
            .OrderBy(m => m.Name).ToList();
        revocation.NewSnapshot = snapshot?.Version;
        revocation.RemovedCount = snapshot is null ? 0 : JsonSerializer.Deserialize<SnapshotSummary>(snapshot.Summary, JsonSerializerOptions.Web)!.Removed;
        revocation.AffectedSnapshots = JsonSerializer.Serialize(affected, JsonSerializerOptions.Web);
        revocation.AffectedModels = JsonSerializer.Serialize(models, JsonSerializerOptions.Web);

        var envelope = await attestor.SignAsync($"attestations/revocations/{revocationId}.dsse.json",
            key => Task.FromResult(Statement(revocation, snapshot, key.Kid).ToCanonicalJson()), cancellationToken: cancellationToken);
        revocation.AttestationDigest = BatchDigest.Format(SHA256.HashData(envelope));
        revocation.Status = RevocationStatus.Completed;
        revocation.CompletedAt = time.Now();
        await audit.RecordAsync("system:revocation", "revocation.complete", $"revocation:{revocationId}",
            new { revocation.NewSnapshot, revocation.RemovedCount, snapshots = versions, models = models.Select(m => m.Name) }, cancellationToken);
    }

    /// <summary>Every snapshot holding at least one revoked example, with how many, read from the manifests
    /// (only snapshots from the first that merged one of the batches can hold any).</summary>
    private async Task<List<AffectedSnapshot>> AffectedSnapshotsAsync(IReadOnlySet<Guid> batchIds, CancellationToken ct)
    {
        var ids = batchIds.ToList();
        var merged = await (
            from sb in db.Set<SnapshotBatch>().AsNoTracking()
            where ids.Contains(sb.BatchId)
            join s in db.Set<Snapshot>() on sb.Version equals s.Version
            select new { s.Major, s.Minor }).ToListAsync(ct);
        if (merged.Count == 0)
        {
            return [];
        }
        var first = merged.OrderBy(m => m.Major).ThenBy(m => m.Minor).First();
        var candidates = (await db.Set<Snapshot>().AsNoTracking()
            .Where(s => s.Major > first.Major || s.Major == first.Major && s.Minor >= first.Minor).ToListAsync(ct))
            .OrderBy(s => s.Major).ThenBy(s => s.Minor);
        var result = new List<AffectedSnapshot>();
        foreach (var snapshot in candidates)
        {
            long count = 0;
            await using var stream = await blobs.OpenReadAsync(snapshot.ManifestBlob, cancellationToken: ct);
            await foreach (var r in SnapshotManifest.ReadAllAsync(stream, ct))
            {
                count += batchIds.Contains(r.BatchId) ? 1 : 0;
            }
            if (count > 0)
            {
                result.Add(new AffectedSnapshot(snapshot.Version, count));
            }
        }
        return result;
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
