using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Snapshots;

/// <summary>
/// The nodes of manifest trees in the blob store, one blob per node named by its digest
/// (<c>manifests/chunks/ab/abcdef…</c>), shared by every snapshot that holds it. Interior nodes are kept in a small
/// process-wide cache: a node never changes (its name is its hash, checked on decoding), and a lookup by index or a
/// diff starts from the same few every time.
/// </summary>
public sealed class BlobManifestChunks(IBlobReader blobs) : IManifestChunks
{
    private const long CacheBytes = 16 << 20;
    private static readonly ConcurrentDictionary<DigestKey, byte[]> Interior = new();
    private static long cached;

    /// <summary>The prefix of every node's blob.</summary>
    public const string Root = "manifests/chunks/";

    public static string NameOf(ReadOnlySpan<byte> digest)
    {
        var hex = Convert.ToHexStringLower(digest);
        return $"{Root}{hex[..2]}/{hex}";
    }

    /// <summary>The digest a node's blob is named by, or null for a name that is not one (<see cref="NameOf"/>).</summary>
    public static byte[]? DigestOf(string name)
    {
        var hex = name.StartsWith(Root, StringComparison.Ordinal) ? name[Root.Length..] : "";
        return hex.Length == 67 && hex[2] == '/' && hex[3..5] == hex[..2] && hex[3..].All(char.IsAsciiHexDigitLower)
            ? Convert.FromHexString(hex[3..]) : null;
    }

    public async ValueTask<byte[]> ReadAsync(byte[] digest, CancellationToken ct)
    {
        var key = SnapshotManifest.KeyOf(digest);
        if (Interior.TryGetValue(key, out var node))
        {
            return node;
        }
        node = await blobs.ReadAllBytesAsync(NameOf(digest), ct);
        if (node.Length > ManifestTree.HeaderSize && node[4] > 0)
        {
            if (Interlocked.Add(ref cached, node.Length) > CacheBytes)
            {
                Interior.Clear(); // a cold start for the next few lookups, never more memory than the bound
                Interlocked.Exchange(ref cached, node.Length);
            }
            Interior[key] = node;
        }
        return node;
    }

    public async ValueTask WriteAsync(byte[] digest, ReadOnlyMemory<byte> node, CancellationToken ct) =>
        await ((IBlobStore)blobs).WriteOnceAsync(NameOf(digest), node, ct);
}

/// <summary>The order of batches in a snapshot's manifest: by the snapshot that merged them, then by id (a cut appends
/// its batches in id order, a revocation only removes). Each batch's entries are consecutive in that order.</summary>
public sealed class BatchOrder(IReadOnlyDictionary<Guid, (int Major, int Minor)> mergedIn)
{
    public static async Task<BatchOrder> OfAsync(VendorGateDb db, Snapshot snapshot, CancellationToken ct) =>
        new((await SnapshotLineage.MergedAsync(db, snapshot, ct)).ToDictionary(
            kv => kv.Key, kv => Snapshot.TryParse(kv.Value, out var major, out var minor) ? (major, minor) : (int.MaxValue, 0)));

    public bool Contains(Guid batch) => mergedIn.ContainsKey(batch);

    public int Compare(Guid a, Guid b)
    {
        var bySnapshot = mergedIn[a].CompareTo(mergedIn[b]);
        return bySnapshot != 0 ? bySnapshot : a.CompareTo(b);
    }
}

/// <summary>The result of writing a manifest: its root (the manifest digest), entries and nodes written.</summary>
public sealed record WrittenManifest(byte[] Root, long Count, int NodesWritten)
{
    public string Digest => BatchDigest.Format(Root);
}

/// <summary>
/// A snapshot's manifest whatever its format: the VGM1 blob of snapshots cut before manifest trees (one record every
/// 72 bytes, read by offset), or a VGT1 tree (<see cref="ManifestTree"/>), which every new snapshot is.
/// </summary>
public sealed class SnapshotManifests(IBlobReader blobs)
{
    private readonly ManifestTreeReader tree = new(new BlobManifestChunks(blobs));

    public ManifestTreeReader Tree => tree;

    /// <summary>Entries <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), in order.</summary>
    public async IAsyncEnumerable<ManifestRecord> ReadAsync(Snapshot snapshot, long from, long to,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (from >= to)
        {
            yield break;
        }
        if (snapshot.IsTree)
        {
            await foreach (var record in tree.ReadAsync(snapshot.Root, from, to, ct))
            {
                yield return record;
            }
            yield break;
        }
        var start = SnapshotManifest.Offset(from);
        await using var manifest = new BufferedStream(await blobs.OpenReadAsync(snapshot.ManifestBlob, start, SnapshotManifest.Offset(to) - start, ct), 1 << 20);
        var bytes = new byte[SnapshotManifest.RecordSize];
        for (var index = from; index < to; index++)
        {
            await manifest.ReadExactlyAsync(bytes, ct);
            yield return SnapshotManifest.Read(bytes);
        }
    }

    /// <summary>Entry <paramref name="index"/>, below the snapshot's count.</summary>
    public async Task<ManifestRecord> AtAsync(Snapshot snapshot, long index, CancellationToken ct)
    {
        if (snapshot.IsTree)
        {
            return await tree.AtAsync(snapshot.Root, index, ct);
        }
        var bytes = new byte[SnapshotManifest.RecordSize];
        await using var stream = await blobs.OpenReadAsync(snapshot.ManifestBlob, SnapshotManifest.Offset(index), bytes.Length, ct);
        await stream.ReadExactlyAsync(bytes, ct);
        return SnapshotManifest.Read(bytes);
    }

    /// <summary>The index range <c>[Start, End)</c> of each of <paramref name="batches"/> that has entries in the snapshot,
    /// in order: found by descending the tree (a VGM1 manifest is read whole).</summary>
    public async Task<List<(long Start, long End)>> RangesOfAsync(Snapshot snapshot, IEnumerable<Guid> batches, BatchOrder order, CancellationToken ct)
    {
        var ranges = new List<(long Start, long End)>();
        if (!snapshot.IsTree)
        {
            var wanted = batches.ToHashSet();
            long index = 0;
            long? open = null;
            await foreach (var record in ReadAsync(snapshot, 0, snapshot.Count, ct))
            {
                if (wanted.Contains(record.BatchId))
                {
                    open ??= index;
                }
                else if (open is { } start)
                {
                    ranges.Add((start, index));
                    open = null;
                }
                index++;
            }
            if (open is { } last)
            {
                ranges.Add((last, index));
            }
            return ranges;
        }
        foreach (var batch in batches.Where(order.Contains).Order(Comparer<Guid>.Create(order.Compare)))
        {
            var start = await tree.FirstIndexAsync(snapshot.Root, b => order.Compare(b, batch) >= 0, ct);
            var end = await tree.FirstIndexAsync(snapshot.Root, b => order.Compare(b, batch) > 0, ct);
            if (end > start)
            {
                ranges.Add((start, end));
            }
        }
        return ranges;
    }

    /// <summary>
    /// Writes the manifest of <paramref name="parent"/>'s entries (none without a parent) less the removed index ranges,
    /// followed by <paramref name="append"/>, as a tree. From a tree only the leaves around the changes are read and
    /// written; a VGM1 parent is read whole once, and its child is a tree.
    /// </summary>
    public async Task<WrittenManifest> WriteAsync(Snapshot? parent, IReadOnlyList<(long Start, long End)> remove,
        IAsyncEnumerable<ManifestRecord>? append, Action<ManifestRecord>? removed, CancellationToken ct)
    {
        if (parent is { IsTree: true })
        {
            var (root, edited) = await tree.EditAsync(parent.Root, remove, append, removed, ct);
            return new WrittenManifest(root, edited.Count, edited.NodesWritten);
        }
        var writer = new ManifestTreeWriter(new BlobManifestChunks(blobs));
        if (parent is not null)
        {
            long index = 0;
            var range = 0;
            await foreach (var record in ReadAsync(parent, 0, parent.Count, ct))
            {
                while (range < remove.Count && remove[range].End <= index)
                {
                    range++;
                }
                if (range < remove.Count && remove[range].Start <= index++)
                {
                    removed?.Invoke(record);
                    continue;
                }
                await writer.AddAsync(record, ct);
            }
        }
        if (append is not null)
        {
            await writer.AddAllAsync(append, ct);
        }
        return new WrittenManifest(await writer.FinishAsync(ct), writer.Count, writer.NodesWritten);
    }
}
