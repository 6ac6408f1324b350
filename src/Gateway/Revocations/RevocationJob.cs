using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Revocations;

/// <summary>Carries out a revocation: cuts the minor snapshot without the revoked examples, counts (from the manifests)
/// which snapshots and models held them, and makes the statement of all that due; <see cref="AttestJob"/> signs it and
/// the revocation completes. Idempotent: re-running finds its snapshot.</summary>
public sealed class RevocationJob(VendorGateDb db, SnapshotCutter cutter, SnapshotManifests manifests, AuditLog audit, IBackgroundJobClient jobs)
{
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

        if (revocation.Attestation.State is null)
        {
            revocation.Attestation.Due();
        }
        await audit.RecordAsync("system:revocation", "revocation.cut", $"revocation:{revocationId}",
            new { revocation.NewSnapshot, revocation.RemovedCount, snapshots = versions, models = models.Select(m => m.Name) }, cancellationToken);
        AttestJob.Enqueue(jobs, RevocationAttestation.Kind, revocationId.ToString());
    }

    /// <summary>Every snapshot holding at least one revoked example, with how many, from the manifests: a tree is
    /// descended to each batch's range (only snapshots from the first that merged one of the batches can hold any).</summary>
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
            .OrderBy(s => s.Major).ThenBy(s => s.Minor).ToList();
        // The latest's batch order ranks every batch of the earlier ones the same way (a batch merged after a snapshot
        // ranks after all of that snapshot's entries, so its range there is empty): one query, not one per snapshot.
        var order = await BatchOrder.OfAsync(db, candidates[^1], ct);
        var result = new List<AffectedSnapshot>();
        foreach (var snapshot in candidates)
        {
            var ranges = await manifests.RangesOfAsync(snapshot, batchIds, order, ct);
            if (ranges.Sum(r => r.End - r.Start) is var count and > 0)
            {
                result.Add(new AffectedSnapshot(snapshot.Version, count));
            }
        }
        return result;
    }
}
