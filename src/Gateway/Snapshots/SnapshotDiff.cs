using System.Text;
using VendorGate.Attest.Digests;

namespace VendorGate.Gateway.Snapshots;

public sealed record Change(long Added, long Removed);

public sealed record DiffSummary(string From, string To, long Added, long Removed,
    IReadOnlyDictionary<Guid, Change> ByBatch, IReadOnlyDictionary<Guid, Change> ByAnnotator, IReadOnlyDictionary<string, Change> ByDomain);

/// <summary>What changed between two snapshots, by example digest. Between trees only the nodes the two do not share are
/// read (<see cref="ManifestTreeReader.DiffAsync"/>), so the cost follows the change; a VGM1 manifest is read whole.</summary>
public sealed class SnapshotDiff(SnapshotManifests manifests)
{
    public async Task<DiffSummary> SummarizeAsync(Snapshot from, Snapshot to, CancellationToken ct)
    {
        var byBatch = new Dictionary<Guid, (long Added, long Removed)>();
        var byAnnotator = new Dictionary<Guid, (long Added, long Removed)>();
        var byDomain = new Dictionary<string, (long Added, long Removed)>();
        var fromDomains = System.Text.Json.JsonSerializer.Deserialize<List<string>>(from.Domains)!;
        var toDomains = System.Text.Json.JsonSerializer.Deserialize<List<string>>(to.Domains)!;
        long added = 0, removed = 0;
        await foreach (var (change, _, record) in ChangesAsync(from, to, ct))
        {
            var isAdd = change == "added";
            added += isAdd ? 1 : 0;
            removed += isAdd ? 0 : 1;
            Count(byBatch, record.BatchId, isAdd);
            Count(byAnnotator, record.AnnotatorId, isAdd);
            Count(byDomain, record.Domain < 0 ? SnapshotSummary.Unspecified : (isAdd ? toDomains : fromDomains)[record.Domain], isAdd);
        }
        return new DiffSummary(from.Version, to.Version, added, removed,
            byBatch.ToDictionary(kv => kv.Key, kv => new Change(kv.Value.Added, kv.Value.Removed)),
            byAnnotator.ToDictionary(kv => kv.Key, kv => new Change(kv.Value.Added, kv.Value.Removed)),
            byDomain.ToDictionary(kv => kv.Key, kv => new Change(kv.Value.Added, kv.Value.Removed)));
    }

    /// <summary>Writes every changed entry as NDJSON: <c>{change, index, digest, batchId, annotatorId}</c>
    /// (removed entries with their index in <paramref name="from"/>, added ones with their index in <paramref name="to"/>).</summary>
    public async Task WriteDetailsAsync(Snapshot from, Snapshot to, Stream body, CancellationToken ct)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 1 << 16);
        await foreach (var (change, index, r) in ChangesAsync(from, to, ct))
        {
            await writer.WriteAsync($"{{\"change\":\"{change}\",\"index\":{index},\"digest\":\"{BatchDigest.Format(r.Digest)}\",\"batchId\":\"{r.BatchId}\",\"annotatorId\":\"{r.AnnotatorId}\"}}\n");
        }
    }

    private async IAsyncEnumerable<(string Change, long Index, ManifestRecord Record)> ChangesAsync(
        Snapshot from, Snapshot to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (from.IsTree && to.IsTree)
        {
            await foreach (var change in manifests.Tree.DiffAsync(from.Root, to.Root, ct))
            {
                yield return (change.Added ? "added" : "removed", change.Index, change.Record);
            }
            yield break;
        }
        await foreach (var change in FlatChangesAsync(from, to, ct))
        {
            yield return change;
        }
    }

    // Snapshots cut before manifest trees (VGM1), against each other or a tree: both manifests are read whole. A digest
    // occurs at most once in a snapshot, and snapshots only append and remove (never reorder), so the records both share
    // at the start and at the end are unchanged: only the two middles are compared as sets.
    private async IAsyncEnumerable<(string Change, long Index, ManifestRecord Record)> FlatChangesAsync(
        Snapshot from, Snapshot to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var a = await LoadAsync(from, ct);
        var b = await LoadAsync(to, ct);
        long countA = from.Count, countB = to.Count, prefix = 0, suffix = 0;
        while (prefix < countA && prefix < countB && SameDigest(a, prefix, b, prefix))
        {
            prefix++;
        }
        while (suffix < countA - prefix && suffix < countB - prefix && SameDigest(a, countA - 1 - suffix, b, countB - 1 - suffix))
        {
            suffix++;
        }
        var inA = Keys(a, prefix, countA - suffix);
        var inB = Keys(b, prefix, countB - suffix);
        for (var i = prefix; i < countA - suffix; i++)
        {
            if (!inB.Contains(SnapshotManifest.KeyOf(Record(a, i)[..BatchDigest.Size])))
            {
                yield return ("removed", i, SnapshotManifest.Read(Record(a, i)));
            }
        }
        for (var i = prefix; i < countB - suffix; i++)
        {
            if (!inA.Contains(SnapshotManifest.KeyOf(Record(b, i)[..BatchDigest.Size])))
            {
                yield return ("added", i, SnapshotManifest.Read(Record(b, i)));
            }
        }
    }

    private static bool SameDigest(byte[] a, long i, byte[] b, long j) =>
        Record(a, i)[..BatchDigest.Size].SequenceEqual(Record(b, j)[..BatchDigest.Size]);

    /// <summary>The records, 72 bytes each, without a header.</summary>
    private async Task<byte[]> LoadAsync(Snapshot snapshot, CancellationToken ct)
    {
        var bytes = new byte[snapshot.Count * SnapshotManifest.RecordSize];
        long index = 0;
        await foreach (var record in manifests.ReadAsync(snapshot, 0, snapshot.Count, ct))
        {
            SnapshotManifest.Write(record, Record(bytes, index++));
        }
        return bytes;
    }

    private static Span<byte> Record(byte[] records, long index) => records.AsSpan((int)(index * SnapshotManifest.RecordSize), SnapshotManifest.RecordSize);

    private static HashSet<DigestKey> Keys(byte[] records, long from, long to)
    {
        var keys = new HashSet<DigestKey>((int)Math.Max(0, to - from));
        for (var i = from; i < to; i++)
        {
            keys.Add(SnapshotManifest.KeyOf(Record(records, i)[..BatchDigest.Size]));
        }
        return keys;
    }

    private static void Count<TKey>(Dictionary<TKey, (long Added, long Removed)> counts, TKey key, bool added) where TKey : notnull
    {
        var (a, r) = counts.GetValueOrDefault(key);
        counts[key] = added ? (a + 1, r) : (a, r + 1);
    }
}
