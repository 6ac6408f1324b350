using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Snapshots;

/// <summary>Consecutive examples of a snapshot that are consecutive lines of one batch: one range read of its
/// canonical content, <c>[Start, End)</c>, holding <see cref="Records"/>.Count lines.</summary>
public sealed record SnapshotRun(Batch Batch, long FirstIndex, IReadOnlyList<ManifestRecord> Records, long Start, long End);

/// <summary>The batches a snapshot holds examples of can only be among those merged into it or an ancestor.</summary>
public static class SnapshotLineage
{
    /// <summary>Every batch merged up to <paramref name="snapshot"/> (itself and its ancestors), with the first snapshot
    /// it entered (as blame names it).</summary>
    public static async Task<Dictionary<Guid, string>> MergedAsync(VendorGateDb db, Snapshot snapshot, CancellationToken ct) =>
        (await (
            from sb in db.SnapshotBatches.AsNoTracking()
            join s in db.Snapshots on sb.Version equals s.Version
            where s.Major < snapshot.Major || s.Major == snapshot.Major && s.Minor <= snapshot.Minor
            select new { sb.BatchId, s.Version, s.Major, s.Minor }).ToListAsync(ct))
        .GroupBy(m => m.BatchId)
        .ToDictionary(g => g.Key, g => g.OrderBy(m => m.Major).ThenBy(m => m.Minor).First().Version);
}

/// <summary>Reads a snapshot's examples as runs: the manifest in order, each run's byte range found in its batch's
/// index. The content endpoint copies the ranges; an export parses them.</summary>
public sealed class SnapshotRuns(IBlobReader blobs, Func<Guid, CancellationToken, Task<Batch>> batchOf)
{
    /// <summary>Looks each batch up once, in <paramref name="db"/>.</summary>
    public static SnapshotRuns Of(VendorGateDb db, IBlobReader blobs)
    {
        var batches = new Dictionary<Guid, Batch>();
        return new(blobs, async (id, ct) =>
            batches.TryGetValue(id, out var batch) ? batch : batches[id] = await db.Batches.AsNoTracking().FirstAsync(b => b.Id == id, ct));
    }

    /// <summary>Over batches already loaded (safe to use from several threads at once).</summary>
    public static SnapshotRuns Of(IReadOnlyDictionary<Guid, Batch> batches, IBlobReader blobs) =>
        new(blobs, (id, _) => Task.FromResult(batches[id]));

    /// <summary>The runs of examples <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), none
    /// longer than <paramref name="maxRun"/> examples.</summary>
    public async IAsyncEnumerable<SnapshotRun> ReadAsync(Snapshot snapshot, long from, long to, int maxRun,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (from >= to)
        {
            yield break;
        }
        var run = new List<ManifestRecord>();
        var runStart = from;
        var index = from;
        await foreach (var record in new SnapshotManifests(blobs).ReadAsync(snapshot, from, to, ct))
        {
            if (run.Count > 0 && (run.Count == maxRun || run[^1].BatchId != record.BatchId || run[^1].Line + 1 != record.Line))
            {
                yield return await RunAsync(runStart, run, ct);
                (run, runStart) = ([], index);
            }
            run.Add(record);
            index++;
        }
        yield return await RunAsync(runStart, run, ct);
    }

    private async Task<SnapshotRun> RunAsync(long firstIndex, List<ManifestRecord> records, CancellationToken ct)
    {
        var batch = await batchOf(records[0].BatchId, ct);
        var first = records[0].Line;
        var end = records[^1].Line + 1;
        var startOffset = await OffsetAsync(batch, first, ct);
        var endOffset = end < batch.Count ? await OffsetAsync(batch, end, ct) : batch.ContentBytes!.Value;
        return new SnapshotRun(batch, firstIndex, records, startOffset, endOffset);
    }

    private async Task<long> OffsetAsync(Batch batch, int line, CancellationToken ct)
    {
        var entry = new byte[QuarantineIndex.RecordSize];
        await using var index = await blobs.OpenReadAsync(batch.IndexBlob!, QuarantineIndex.Position(line), entry.Length, ct);
        await index.ReadExactlyAsync(entry, ct);
        return QuarantineIndex.Offset(entry);
    }
}
