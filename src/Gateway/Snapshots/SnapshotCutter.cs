using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Webhooks;

namespace VendorGate.Gateway.Snapshots;

/// <summary>Counts a snapshot carries (and its successors carry forward).</summary>
public sealed record SnapshotSummary(
    IReadOnlyList<AddedBatch> AddedBatches, long Removed, long DuplicatesSkipped,
    Dictionary<string, long> ByVendor, Dictionary<string, long> ByAnnotator, Dictionary<string, long> ByLicense, Dictionary<string, long> ByDomain)
{
    public const string Unspecified = "unspecified";
}

public sealed record AddedBatch(Guid Id, long Added, string? ApprovalDigest);

public abstract record CutOutcome
{
    public sealed record Cut(Snapshot Snapshot) : CutOutcome;
    public sealed record NothingToMerge(string Detail) : CutOutcome;
}

/// <summary>
/// Cuts the next major snapshot: the parent's examples in their order, then each approved batch's examples in line
/// order (batches by id), an example already present kept once under its first attribution. One cut runs at a time:
/// an in-process lock, and a PostgreSQL advisory lock across Gateway processes. The manifest tree's new chunks are
/// written first (by digest, shared with the parent) and the snapshot row is committed last, so a cut that crashes
/// leaves no snapshot, only chunks nothing refers to.
/// </summary>
public sealed class SnapshotCutter(VendorGateDb db, IBlobStore blobs, SnapshotManifests manifests, AuditLog audit, IBackgroundJobClient jobs, SnapshotCutter.ProcessLock inProcess,
    Compliance.ComplianceService compliance, TimeProvider time)
{
    private const long CutLockKey = 0x5647_4375_74; // "VGCut"

    /// <summary>How often a cut starts over when batches stop being eligible while it writes the manifest.</summary>
    private const int Attempts = 5;

    /// <summary>One cut at a time within this process (a singleton); across processes the PostgreSQL advisory lock.</summary>
    public sealed class ProcessLock
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);
    }

    public Task<CutOutcome> CutAsync(Caller caller, string message, Guid[]? batchIds, CancellationToken ct) =>
        WithCutLockAsync(() => CutLockedAsync(caller, message, batchIds, ct), ct);

    /// <summary>Cuts the next minor snapshot: the latest without every example of <paramref name="batchIds"/>.
    /// Null when the latest holds none of them. Idempotent per revocation: a snapshot it already made is returned.</summary>
    public Task<Snapshot?> CutWithoutAsync(Guid revocationId, IReadOnlySet<Guid> batchIds, string message, Guid requestedBy, CancellationToken ct) =>
        WithCutLockAsync(() => CutWithoutLockedAsync(revocationId, batchIds, message, requestedBy, ct), ct);

    /// <summary>Runs <paramref name="work"/> while no cut runs, here or in another Gateway process (the manifest chunk
    /// collector, which must not delete a chunk a cut is about to reference).</summary>
    public async Task<T> WithCutLockAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        await inProcess.Semaphore.WaitAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (db.IsPostgres)
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({CutLockKey})", ct);
            }
            return await work();
        }
        finally
        {
            if (db.IsPostgres)
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({CutLockKey})", CancellationToken.None);
            }
            await db.Database.CloseConnectionAsync();
            inProcess.Semaphore.Release();
        }
    }

    public static async Task<Snapshot?> LatestAsync(VendorGateDb db, CancellationToken ct) =>
        await db.Set<Snapshot>().AsNoTracking().OrderByDescending(s => s.Major).ThenByDescending(s => s.Minor).FirstOrDefaultAsync(ct);

    /// <summary>Batches that may enter a snapshot: approved with a signed approval, their annotator not revoked, their
    /// vendor permitted by the compliance policy. Read at the start of a cut and again inside the transaction that
    /// commits it (where the audit lock orders it against revocations), so a batch revoked or rejected meanwhile
    /// never enters a signed snapshot.</summary>
    private async Task<List<Batch>> EligibleAsync(Guid[]? batchIds, CancellationToken ct)
    {
        var query = db.Batches.AsNoTracking().Where(b => b.Status == BatchStatus.Approved && b.Approval.State == AttestationStates.Signed
            && !db.Principals.Any(p => p.Id == b.SubmitterId && p.RevokedAt != null));
        if (batchIds is { Length: > 0 })
        {
            query = query.Where(b => batchIds.Contains(b.Id));
        }
        var batches = await query.ToListAsync(ct);
        var refused = new HashSet<Guid>();
        foreach (var vendorId in batches.Select(b => b.VendorId).OfType<Guid>().Distinct())
        {
            if (compliance.Options.Enforcement == "refuse" && !(await compliance.AssessAsync(vendorId, ct, record: false)).Permitted)
            {
                refused.Add(vendorId);
            }
        }
        return batches.Where(b => b.VendorId is not { } v || !refused.Contains(v)).OrderBy(b => b.Id).ToList();
    }

    private async Task<CutOutcome> CutLockedAsync(Caller caller, string message, Guid[]? batchIds, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var batches = await EligibleAsync(batchIds, ct);
            if (batchIds is { Length: > 0 } && batchIds.Except(batches.Select(b => b.Id)).ToList() is { Count: > 0 } notReady)
            {
                return new CutOutcome.NothingToMerge(
                    $"Not eligible (approved with a signed approval, annotator not revoked, vendor permitted): {string.Join(", ", notReady)}.");
            }
            if (batches.Count == 0)
            {
                return new CutOutcome.NothingToMerge("No approved batch is waiting to be merged.");
            }
            if (await TryCutAsync(caller, message, batchIds, batches, ct) is { } cut)
            {
                return cut;
            }
            if (attempt == Attempts)
            {
                return new CutOutcome.NothingToMerge($"Batches kept changing while the snapshot was written ({Attempts} attempts); try again.");
            }
        }
    }

    /// <summary>Writes the manifest of <paramref name="batches"/> after the latest snapshot and commits the snapshot, or
    /// returns null (leaving nothing) when one of them is no longer eligible at commit.</summary>
    private async Task<CutOutcome.Cut?> TryCutAsync(Caller caller, string message, Guid[]? batchIds, List<Batch> batches, CancellationToken ct)
    {
        var parent = await LatestAsync(db, ct);
        var version = $"{(parent?.Major ?? 0) + 1}.0";
        var summary = parent is null
            ? new SnapshotSummary([], 0, 0, [], [], [], [])
            : JsonSerializer.Deserialize<SnapshotSummary>(parent.Summary, JsonSerializerOptions.Web)! with { AddedBatches = [], Removed = 0, DuplicatesSkipped = 0 };
        var domains = parent is null ? [] : JsonSerializer.Deserialize<List<string>>(parent.Domains)!;
        var added = new List<AddedBatch>();
        long duplicates = 0;

        // Dedup reads the parent's digests; the tree is written from its last leaf on (the rest is the parent's).
        var seen = new HashSet<DigestKey>();
        if (parent is not null)
        {
            await foreach (var r in manifests.ReadAsync(parent, 0, parent.Count, ct))
            {
                seen.Add(SnapshotManifest.KeyOf(r.Digest));
            }
        }
        var manifest = await manifests.WriteAsync(parent, [], Merged(), removed: null, ct);

        async IAsyncEnumerable<ManifestRecord> Merged()
        {
            foreach (var batch in batches)
            {
                long batchAdded = 0;
                var toTable = DomainMap(batch, domains);
                await using var index = new BufferedStream(await blobs.OpenReadAsync(batch.IndexBlob!, cancellationToken: ct),
                    QuarantineIndex.ReadBufferBytes(batch.Count ?? 0));
                var entry = new byte[QuarantineIndex.RecordSize];
                for (var line = 0; line < batch.Count; line++)
                {
                    await index.ReadExactlyAsync(entry, ct);
                    var digest = QuarantineIndex.Digest(entry.AsSpan()).ToArray();
                    if (!seen.Add(SnapshotManifest.KeyOf(digest)))
                    {
                        duplicates++;
                        continue;
                    }
                    var domain = toTable(QuarantineIndex.Domain(entry));
                    yield return new ManifestRecord(digest, batch.Id, batch.SubmitterId, line, domain);
                    Increment(summary.ByDomain, domain < 0 ? SnapshotSummary.Unspecified : domains[domain], 1);
                    batchAdded++;
                }
                added.Add(new AddedBatch(batch.Id, batchAdded, batch.Approval.Digest));
                Increment(summary.ByVendor, batch.VendorId?.ToString() ?? "internal", batchAdded);
                Increment(summary.ByAnnotator, batch.SubmitterId.ToString(), batchAdded);
                Increment(summary.ByLicense, batch.License, batchAdded);
            }
        }

        var snapshot = new Snapshot
        {
            Version = version, Major = (parent?.Major ?? 0) + 1, Minor = 0, Parent = parent?.Version, Message = message, Count = manifest.Count,
            ManifestBlob = BlobManifestChunks.NameOf(manifest.Root), ManifestDigest = manifest.Digest, ManifestFormat = ManifestTree.Format,
            CreatedAt = time.Now(), CreatedBy = caller.Id,
            Domains = JsonSerializer.Serialize(domains),
            Summary = JsonSerializer.Serialize(summary with { AddedBatches = added, DuplicatesSkipped = duplicates }, JsonSerializerOptions.Web),
            Attestation = Attestation.Pending(),
        };
        var ids = batches.Select(b => b.Id).ToList();
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await audit.LockAsync(ct); // revocations hold it while they reject and revoke batches
            var still = (await EligibleAsync(batchIds, ct)).Select(b => b.Id).ToHashSet();
            if (!ids.All(still.Contains))
            {
                await tx.RollbackAsync(ct); // the chunks written stay unreferenced (others may share them)
                return null;
            }
            db.Add(snapshot);
            db.AddRange(added.Select(a => new SnapshotBatch { Version = version, BatchId = a.Id, Added = a.Added }));
            var merge = BatchLifecycle.Merge;
            await db.Batches.Where(b => ids.Contains(b.Id) && merge.From.Contains(b.Status))
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, merge.To), ct);
            var (count, manifestDigest) = (manifest.Count, manifest.Digest);
            WebhookEvents.Publish(db, WebhookEvents.SnapshotCut, null,
                new { version, parent = parent?.Version, count, manifestDigest, batches = ids }, snapshot.CreatedAt);
            await audit.RecordAsync(caller.Actor, "snapshot.cut", $"snapshot:{version}",
                new { parent = parent?.Version, count, manifestDigest, batches = ids }, ct);
            await tx.CommitAsync(ct);
        }
        AttestJob.Enqueue(jobs, SnapshotAttestation.Kind, version);
        return new CutOutcome.Cut(snapshot);
    }

    private async Task<Snapshot?> CutWithoutLockedAsync(Guid revocationId, IReadOnlySet<Guid> batchIds, string message, Guid requestedBy, CancellationToken ct)
    {
        if (await db.Set<Snapshot>().AsNoTracking().FirstOrDefaultAsync(s => s.RevocationId == revocationId, ct) is { } done)
        {
            return done;
        }
        var parent = await LatestAsync(db, ct);
        if (parent is null)
        {
            return null;
        }
        var version = $"{parent.Major}.{parent.Minor + 1}";
        var removedByBatch = new Dictionary<Guid, long>();
        var removedByDomain = new Dictionary<int, long>();
        var domains = JsonSerializer.Deserialize<List<string>>(parent.Domains)!;
        var ranges = await manifests.RangesOfAsync(parent, batchIds, await BatchOrder.OfAsync(db, parent, ct), ct);
        if (ranges.Count == 0)
        {
            return null; // nothing to remove
        }
        var manifest = await manifests.WriteAsync(parent, ranges, append: null, r =>
        {
            removedByBatch[r.BatchId] = removedByBatch.GetValueOrDefault(r.BatchId) + 1;
            removedByDomain[r.Domain] = removedByDomain.GetValueOrDefault(r.Domain) + 1;
        }, ct);

        var removedIds = removedByBatch.Keys.ToList();
        var removedBatches = await db.Batches.AsNoTracking().Where(b => removedIds.Contains(b.Id)).ToListAsync(ct);
        var summary = JsonSerializer.Deserialize<SnapshotSummary>(parent.Summary, JsonSerializerOptions.Web)!;
        foreach (var batch in removedBatches)
        {
            var n = removedByBatch[batch.Id];
            Increment(summary.ByVendor, batch.VendorId?.ToString() ?? "internal", -n);
            Increment(summary.ByAnnotator, batch.SubmitterId.ToString(), -n);
            Increment(summary.ByLicense, batch.License, -n);
        }
        foreach (var (domain, n) in removedByDomain)
        {
            Increment(summary.ByDomain, domain < 0 ? SnapshotSummary.Unspecified : domains[domain], -n);
        }
        var snapshot = new Snapshot
        {
            Version = version, Major = parent.Major, Minor = parent.Minor + 1, Parent = parent.Version, Message = message, Count = manifest.Count,
            ManifestBlob = BlobManifestChunks.NameOf(manifest.Root), ManifestDigest = manifest.Digest, ManifestFormat = ManifestTree.Format,
            CreatedAt = time.Now(), CreatedBy = requestedBy, RevocationId = revocationId,
            Domains = parent.Domains,
            Summary = JsonSerializer.Serialize(summary with { AddedBatches = [], Removed = removedByBatch.Values.Sum(), DuplicatesSkipped = 0 }, JsonSerializerOptions.Web),
            Attestation = Attestation.Pending(),
        };
        db.Add(snapshot);
        await audit.RecordAsync("system:revocation", "snapshot.cut-without", $"snapshot:{version}",
            new { parent = parent.Version, count = manifest.Count, removed = removedByBatch.Values.Sum(), revocationId }, ct);
        AttestJob.Enqueue(jobs, SnapshotAttestation.Kind, version);
        return snapshot;
    }

    /// <summary>Maps a batch's domain indexes (index records) to the snapshot's table, extending it. A line without a
    /// domain belongs to the batch's only declared domain; with several declared, it stays unspecified (-1).</summary>
    private static Func<int, int> DomainMap(Batch batch, List<string> table)
    {
        var declared = batch.DeclaredDomains.Split(' ');
        var map = declared.Select(name =>
        {
            var i = table.IndexOf(name);
            if (i < 0)
            {
                table.Add(name);
                i = table.Count - 1;
            }
            return i;
        }).ToArray();
        var fallback = map.Length == 1 ? map[0] : -1;
        return local => local >= 0 && local < map.Length ? map[local] : fallback;
    }

    private static void Increment(Dictionary<string, long> counts, string key, long by) =>
        counts[key] = counts.GetValueOrDefault(key) + by;
}
