using System.Security.Cryptography;

namespace VendorGate.Attest.Digests;

/// <summary>
/// Builds a manifest tree from entries in order, storing each leaf as it closes and the interior levels at the end.
/// An edit reuses the leaves it did not touch: when the writer stands at a chunk boundary, an unchanged leaf of the old
/// tree would be chunked exactly as it was, so <see cref="Reuse"/> takes its reference without reading it. With no
/// store it only computes the root (the verification CLI rebuilding a manifest's digest).
/// </summary>
public sealed class ManifestTreeWriter(IManifestChunks? chunks = null, IReadOnlySet<DigestKey>? alreadyStored = null)
{
    private readonly byte[] leaf = new byte[ManifestTree.HeaderSize + ManifestTree.Leaves.Max * SnapshotManifest.RecordSize];
    private readonly List<ChunkRef> leaves = [];
    private int leafItems;

    /// <summary>Entries written so far.</summary>
    public long Count { get; private set; }

    /// <summary>Nodes stored (not counting those already there).</summary>
    public int NodesWritten { get; private set; }

    /// <summary>True when the next entry starts a new leaf.</summary>
    public bool AtBoundary => leafItems == 0;

    /// <summary>Appends an entry, storing its leaf if it closes one.</summary>
    public ValueTask AddAsync(in ManifestRecord record, CancellationToken ct)
    {
        var at = ManifestTree.HeaderSize + leafItems * SnapshotManifest.RecordSize;
        SnapshotManifest.Write(record, leaf.AsSpan(at, SnapshotManifest.RecordSize));
        leafItems++;
        Count++;
        return ManifestTree.ClosesChunk(record.Digest, leafItems, ManifestTree.Leaves) ? CloseLeafAsync(ct) : ValueTask.CompletedTask;
    }

    /// <summary>Appends every entry of <paramref name="entries"/>.</summary>
    public async Task AddAllAsync(IAsyncEnumerable<ManifestRecord> entries, CancellationToken ct)
    {
        await foreach (var entry in entries.WithCancellation(ct))
        {
            await AddAsync(entry, ct);
        }
    }

    /// <summary>Takes an unchanged leaf of an older tree as it is.</summary>
    public void Reuse(in ChunkRef reference)
    {
        if (!AtBoundary)
        {
            throw new InvalidOperationException("a leaf can only be reused at a chunk boundary");
        }
        leaves.Add(reference);
        Count += reference.Count;
    }

    /// <summary>Closes the last leaf, builds and stores the interior levels, and returns the root's digest.</summary>
    public async Task<byte[]> FinishAsync(CancellationToken ct)
    {
        if (leafItems > 0 || leaves.Count == 0)
        {
            await CloseLeafAsync(ct);
        }
        var level = leaves;
        for (var height = 1; level.Count > 1; height++)
        {
            level = await BuildLevelAsync(level, height, ct);
        }
        return level[0].Digest;
    }

    private async ValueTask CloseLeafAsync(CancellationToken ct)
    {
        ManifestTree.WriteHeader(leaf, 0, leafItems);
        var node = leaf.AsMemory(0, ManifestTree.HeaderSize + leafItems * SnapshotManifest.RecordSize);
        var first = leafItems == 0 ? Guid.Empty : new Guid(node.Span.Slice(ManifestTree.HeaderSize + 32, 16), bigEndian: true);
        leaves.Add(new ChunkRef(await StoreAsync(node, ct), leafItems, first));
        leafItems = 0;
    }

    private async Task<List<ChunkRef>> BuildLevelAsync(List<ChunkRef> children, int height, CancellationToken ct)
    {
        var parents = new List<ChunkRef>();
        var node = new byte[ManifestTree.HeaderSize + ManifestTree.Nodes.Max * ManifestTree.RefSize];
        int items = 0, start = 0;
        long count = 0;
        for (var i = 0; i < children.Count; i++)
        {
            ManifestTree.WriteRef(children[i], node.AsSpan(ManifestTree.HeaderSize + items * ManifestTree.RefSize));
            items++;
            count += children[i].Count;
            if (ManifestTree.ClosesChunk(children[i].Digest, items, ManifestTree.Nodes) || i == children.Count - 1)
            {
                ManifestTree.WriteHeader(node, height, items);
                var digest = await StoreAsync(node.AsMemory(0, ManifestTree.HeaderSize + items * ManifestTree.RefSize), ct);
                parents.Add(new ChunkRef(digest, count, children[start].FirstBatch));
                (items, count, start) = (0, 0, i + 1);
            }
        }
        return parents;
    }

    private async ValueTask<byte[]> StoreAsync(ReadOnlyMemory<byte> node, CancellationToken ct)
    {
        var digest = SHA256.HashData(node.Span);
        if (chunks is not null && alreadyStored?.Contains(SnapshotManifest.KeyOf(digest)) != true)
        {
            await chunks.WriteAsync(digest, node.ToArray(), ct);
            NodesWritten++;
        }
        return digest;
    }
}
