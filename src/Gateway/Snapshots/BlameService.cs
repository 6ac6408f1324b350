using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Snapshots;

public sealed record BlameAnnotator(Guid Id, string Handle);
public sealed record BlameVendor(Guid Id, string Name);
public sealed record BlameBatch(Guid Id, string Justification, string License, string Source, DateTimeOffset SubmittedAt, DateTimeOffset? ReceivedAt);
public sealed record BlameReview(string Reviewer, string Decision, DateTimeOffset At);

/// <summary>Who is accountable for an example: the annotator, the vendor, the batch and its reasons, the reviews,
/// the signed receipt and approval, and the first snapshot it entered.</summary>
public sealed record Blame(BlameAnnotator Annotator, BlameVendor? Vendor, BlameBatch Batch, IReadOnlyList<BlameReview> Reviews,
    string? AttestationDigest, string? ApprovalDigest, string? FirstSnapshot);

public sealed record ExampleBlame(long Index, string Digest, JsonElement Example, Blame Blame);

/// <summary>Another batch that contributed the same example; the corpus keeps it once, under the first attribution.</summary>
public sealed record OtherContribution(Guid BatchId, int Line, string Status);

public sealed record DigestBlame(string Digest, JsonElement Example, Blame Blame, IReadOnlyList<string> Snapshots, IReadOnlyList<string> Models,
    IReadOnlyList<OtherContribution> OtherContributions);

/// <summary>Blame: the manifest (one range read of a VGM1 blob, one node per level of a tree) finds the contributing
/// batch and line; the batch's index and content give the example; a handful of keyed queries give the people.</summary>
public sealed class BlameService(VendorGateDb db, SnapshotManifests manifests, BatchExamples examples)
{
    public async Task<ExampleBlame?> ForIndexAsync(Snapshot snapshot, long index, CancellationToken ct)
    {
        if (index < 0 || index >= snapshot.Count)
        {
            return null;
        }
        var record = await manifests.AtAsync(snapshot, index, ct);
        var (example, blame) = await BlameAsync(record.BatchId, record.Line, ct);
        return new ExampleBlame(index, BatchDigest.Format(record.Digest), example, blame);
    }

    public async Task<DigestBlame?> ForDigestAsync(byte[] digest, CancellationToken ct)
    {
        // The attribution is the first merged batch holding the digest (as in the manifests), else its first occurrence.
        var occurrences = await (
            from o in db.ExampleOccurrences.AsNoTracking()
            where o.Digest == digest
            join b in db.Batches on o.BatchId equals b.Id
            select new { o.BatchId, o.Line, b.Status }).ToListAsync(ct);
        if (occurrences.Count == 0)
        {
            return null;
        }
        var batchIds = occurrences.Select(o => o.BatchId).ToList();
        var snapshots = await (
            from sb in db.Set<SnapshotBatch>().AsNoTracking()
            where batchIds.Contains(sb.BatchId)
            join s in db.Set<Snapshot>() on sb.Version equals s.Version
            select new { sb.BatchId, s.Version, s.Major, s.Minor }).ToListAsync(ct);
        // Mirrors the cut: the earliest snapshot, and within it the batch merged first (batches are appended in id order).
        var first = snapshots.OrderBy(s => s.Major).ThenBy(s => s.Minor).ThenBy(s => s.BatchId).FirstOrDefault();
        var attributed = first is null ? occurrences.OrderBy(o => o.BatchId).First() : occurrences.First(o => o.BatchId == first.BatchId);
        // Snapshots form a line: every one from the first that merged it holds it, until a revocation of its batch cut it out.
        var removedAt = await RemovedAtAsync(attributed.BatchId, ct);
        var containing = first is null ? [] : (await db.Set<Snapshot>().AsNoTracking()
            .Where(s => s.Major > first.Major || s.Major == first.Major && s.Minor >= first.Minor)
            .Select(s => new { s.Version, s.Major, s.Minor }).ToListAsync(ct))
            .Where(s => removedAt is null || (s.Major, s.Minor).CompareTo(removedAt.Value) < 0)
            .OrderBy(s => s.Major).ThenBy(s => s.Minor).Select(s => s.Version).ToList();
        var models = await db.Set<Model>().AsNoTracking().Where(m => containing.Contains(m.SnapshotVersion)).Select(m => m.Name).ToListAsync(ct);
        var (example, blame) = await BlameAsync(attributed.BatchId, attributed.Line, ct);
        var others = occurrences.Where(o => o.BatchId != attributed.BatchId).OrderBy(o => o.BatchId)
            .Select(o => new OtherContribution(o.BatchId, o.Line, o.Status)).ToList();
        return new DigestBlame(BatchDigest.Format(digest), example, blame, containing, models.Order().ToList(), others);
    }

    /// <summary>The version of the first snapshot cut without this batch's examples by a revocation, if any.</summary>
    private async Task<(int Major, int Minor)?> RemovedAtAsync(Guid batchId, CancellationToken ct)
    {
        var id = batchId.ToString();
        var revocations = await db.Set<Revocations.Revocation>().AsNoTracking()
            .Where(r => r.NewSnapshot != null && r.Batches.Contains(id)).Select(r => r.NewSnapshot!).ToListAsync(ct);
        return revocations.Select(v => Snapshot.TryParse(v, out var major, out var minor) ? (major, minor) : (int.MaxValue, 0))
            .Order().Cast<(int, int)?>().FirstOrDefault();
    }

    private async Task<(JsonElement Example, Blame Blame)> BlameAsync(Guid batchId, int line, CancellationToken ct)
    {
        var batch = await db.Batches.AsNoTracking().Include(b => b.Reviews).FirstAsync(b => b.Id == batchId, ct);
        var annotator = await db.Principals.AsNoTracking().FirstAsync(p => p.Id == batch.SubmitterId, ct);
        var vendor = batch.VendorId is { } vendorId ? await db.Vendors.AsNoTracking().FirstAsync(v => v.Id == vendorId, ct) : null;
        var firstSnapshot = (await (
            from sb in db.Set<SnapshotBatch>().AsNoTracking()
            where sb.BatchId == batchId
            join s in db.Set<Snapshot>() on sb.Version equals s.Version
            select new { s.Version, s.Major, s.Minor }).ToListAsync(ct)).OrderBy(s => s.Major).ThenBy(s => s.Minor).FirstOrDefault()?.Version;
        var example = (await examples.ReadAsync(batch, line, 1, ct))[0].Example;
        var blame = new Blame(
            new BlameAnnotator(annotator.Id, annotator.Handle),
            vendor is null ? null : new BlameVendor(vendor.Id, vendor.Name),
            new BlameBatch(batch.Id, batch.Justification, batch.License, batch.Source, batch.CreatedAt, batch.ReceivedAt),
            batch.Reviews.OrderBy(r => r.At).Select(r => new BlameReview(r.ReviewerHandle, r.Decision, r.At)).ToList(),
            batch.Receipt.Digest, batch.Approval.Digest, firstSnapshot);
        return (example, blame);
    }
}
