namespace VendorGate.Attest.Digests;

/// <summary>A leaf of a tree and the index of its first entry.</summary>
/// <param name="Leaf">Its reference.</param>
/// <param name="Start">The index of its first entry.</param>
public readonly record struct PlacedLeaf(ChunkRef Leaf, long Start);

/// <summary>The leaves of a tree in order, and the digests of its interior nodes (read to list them).</summary>
/// <param name="Leaves">The leaves in order.</param>
/// <param name="Interior">The digests of the interior nodes.</param>
public sealed record TreeLeaves(IReadOnlyList<PlacedLeaf> Leaves, IReadOnlySet<DigestKey> Interior);

/// <summary>A changed entry between two trees: removed (with its index in the first) or added (its index in the second).</summary>
/// <param name="Added">Added (else removed).</param>
/// <param name="Index">Its index in the tree that holds it.</param>
/// <param name="Record">The entry.</param>
public readonly record struct ManifestChange(bool Added, long Index, ManifestRecord Record);

/// <summary>Reads manifest trees (<see cref="ManifestTree"/>): an entry by index, a range in order, where a batch's entries
/// start, and what differs between two trees, each reading only the nodes it needs.</summary>
public sealed class ManifestTreeReader(IManifestChunks chunks)
{
    /// <summary>Reads and checks one node.</summary>
    public async ValueTask<ManifestNode> NodeAsync(byte[] digest, CancellationToken ct) =>
        ManifestTree.Decode(await chunks.ReadAsync(digest, ct), digest);

    /// <summary>Entry <paramref name="index"/> (which the caller has checked is below the count): one node per level.</summary>
    public async Task<ManifestRecord> AtAsync(byte[] root, long index, CancellationToken ct)
    {
        var node = await NodeAsync(root, ct);
        while (node.Level > 0)
        {
            var i = 0;
            for (; i < node.Items - 1 && index >= node.CountOf(i); i++)
            {
                index -= node.CountOf(i);
            }
            node = await NodeAsync(node.Ref(i).Digest, ct);
        }
        return node.Record((int)index);
    }

    /// <summary>Entries <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), in order.</summary>
    public IAsyncEnumerable<ManifestRecord> ReadAsync(byte[] root, long from, long to, CancellationToken ct) => VisitAsync(root, 0, from, to, ct);

    private async IAsyncEnumerable<ManifestRecord> VisitAsync(byte[] digest, long start, long from, long to,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var node = await NodeAsync(digest, ct);
        if (node.Level == 0)
        {
            for (var i = (int)Math.Max(0, from - start); i < node.Items && start + i < to; i++)
            {
                yield return node.Record(i);
            }
            yield break;
        }
        for (var i = 0; i < node.Items && start < to; i++)
        {
            var count = node.CountOf(i);
            if (start + count > from)
            {
                await foreach (var record in VisitAsync(node.Ref(i).Digest, start, from, to, ct))
                {
                    yield return record;
                }
            }
            start += count;
        }
    }

    /// <summary>Adds the digest of every node of the tree to <paramref name="nodes"/>, reading the interior nodes only.
    /// A node already there is not read again: its digest covers everything below it, so its subtree was added with
    /// it (callers that stop on an error throw the set away).</summary>
    public async Task AddNodesAsync(byte[] root, ISet<DigestKey> nodes, CancellationToken ct)
    {
        if (!nodes.Add(SnapshotManifest.KeyOf(root)))
        {
            return;
        }
        var node = await NodeAsync(root, ct);
        for (var i = 0; i < node.Items && node.Level > 0; i++)
        {
            var child = node.Ref(i).Digest;
            if (node.Level == 1)
            {
                nodes.Add(SnapshotManifest.KeyOf(child));
            }
            else
            {
                await AddNodesAsync(child, nodes, ct);
            }
        }
    }

    /// <summary>Every leaf in order, reading the interior nodes only.</summary>
    public async Task<TreeLeaves> LeavesAsync(byte[] root, CancellationToken ct)
    {
        var leaves = new List<PlacedLeaf>();
        var interior = new HashSet<DigestKey>();
        var rootNode = await NodeAsync(root, ct);
        if (rootNode.Level == 0)
        {
            leaves.Add(new PlacedLeaf(new ChunkRef(root, rootNode.Items, rootNode.Items == 0 ? Guid.Empty : rootNode.FirstBatch(0)), 0));
            return new TreeLeaves(leaves, interior);
        }
        long start = 0;
        await CollectAsync(root, rootNode);
        return new TreeLeaves(leaves, interior);

        async Task CollectAsync(byte[] digest, ManifestNode node)
        {
            interior.Add(SnapshotManifest.KeyOf(digest));
            for (var i = 0; i < node.Items; i++)
            {
                var child = node.Ref(i);
                if (node.Level == 1)
                {
                    leaves.Add(new PlacedLeaf(child, start));
                    start += child.Count;
                }
                else
                {
                    await CollectAsync(child.Digest, await NodeAsync(child.Digest, ct));
                }
            }
        }
    }

    /// <summary>The index of the first entry whose batch satisfies <paramref name="reached"/>, which must be false for a
    /// prefix of the entries and true after (batches in snapshot order); the count when none does.</summary>
    public async Task<long> FirstIndexAsync(byte[] root, Func<Guid, bool> reached, CancellationToken ct)
    {
        var node = await NodeAsync(root, ct);
        long start = 0;
        while (true)
        {
            var i = 0;
            for (; i < node.Items && !reached(node.FirstBatch(i)); i++)
            {
            }
            if (node.Level == 0)
            {
                return start + i;
            }
            if (i == 0)
            {
                return start; // the subtree's first entry already satisfies it
            }
            for (var j = 0; j < i - 1; j++)
            {
                start += node.CountOf(j);
            }
            node = await NodeAsync(node.Ref(i - 1).Digest, ct);
        }
    }

    /// <summary>
    /// What differs from <paramref name="from"/> to <paramref name="to"/>: the removed entries in order, then the added.
    /// Both trees are walked down together, level by level, and a node present in both (same digest) is dropped with
    /// everything below it; only the leaves left are read. That is exact because an entry occurs at most once in a
    /// manifest: an entry under a shared node is in both trees, so an entry of a leaf only one tree has is in the other
    /// only if it is in one of the other's unshared leaves.
    /// </summary>
    public async IAsyncEnumerable<ManifestChange> DiffAsync(byte[] from, byte[] to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (from.AsSpan().SequenceEqual(to))
        {
            yield break;
        }
        var a = new List<Placed> { new(from, (await NodeAsync(from, ct)).Level, 0) };
        var b = new List<Placed> { new(to, (await NodeAsync(to, ct)).Level, 0) };
        while (true)
        {
            var inA = a.Select(n => SnapshotManifest.KeyOf(n.Digest)).ToHashSet();
            var inB = b.Select(n => SnapshotManifest.KeyOf(n.Digest)).ToHashSet();
            a.RemoveAll(n => inB.Contains(SnapshotManifest.KeyOf(n.Digest)));
            b.RemoveAll(n => inA.Contains(SnapshotManifest.KeyOf(n.Digest)));
            var top = a.Concat(b).Select(n => n.Level).DefaultIfEmpty(0).Max();
            if (top == 0)
            {
                break;
            }
            a = await ExpandAsync(a, top, ct);
            b = await ExpandAsync(b, top, ct);
        }
        var removedLeaves = await ReadLeavesAsync(a, ct);
        var addedLeaves = await ReadLeavesAsync(b, ct);
        var removedKeys = EntryKeys(removedLeaves);
        var addedKeys = EntryKeys(addedLeaves);
        foreach (var change in Unmatched(removedLeaves, addedKeys, added: false).Concat(Unmatched(addedLeaves, removedKeys, added: true)))
        {
            yield return change;
        }
    }

    /// <summary>A node not read yet: its digest, level and the index of its first entry.</summary>
    private readonly record struct Placed(byte[] Digest, int Level, long Start);

    /// <summary>Replaces the nodes of level <paramref name="level"/> by references to their children, keeping the order.</summary>
    private async Task<List<Placed>> ExpandAsync(List<Placed> frontier, int level, CancellationToken ct)
    {
        var expanded = new List<Placed>();
        foreach (var placed in frontier)
        {
            if (placed.Level != level)
            {
                expanded.Add(placed);
                continue;
            }
            var node = await NodeAsync(placed.Digest, ct);
            var start = placed.Start;
            for (var i = 0; i < node.Items; i++)
            {
                var child = node.Ref(i);
                expanded.Add(new Placed(child.Digest, level - 1, start));
                start += child.Count;
            }
        }
        return expanded;
    }

    private async Task<List<(ManifestNode Leaf, long Start)>> ReadLeavesAsync(List<Placed> leaves, CancellationToken ct)
    {
        var read = new List<(ManifestNode, long)>(leaves.Count);
        foreach (var leaf in leaves)
        {
            read.Add((await NodeAsync(leaf.Digest, ct), leaf.Start));
        }
        return read;
    }

    private static HashSet<DigestKey> EntryKeys(List<(ManifestNode Leaf, long Start)> leaves)
    {
        var keys = new HashSet<DigestKey>();
        foreach (var (leaf, _) in leaves)
        {
            for (var i = 0; i < leaf.Items; i++)
            {
                keys.Add(SnapshotManifest.KeyOf(leaf.Item(i)[..32]));
            }
        }
        return keys;
    }

    private static IEnumerable<ManifestChange> Unmatched(List<(ManifestNode Leaf, long Start)> leaves, HashSet<DigestKey> other, bool added)
    {
        foreach (var (leaf, start) in leaves)
        {
            for (var i = 0; i < leaf.Items; i++)
            {
                if (!other.Contains(SnapshotManifest.KeyOf(leaf.Item(i)[..32])))
                {
                    yield return new ManifestChange(added, start + i, leaf.Record(i));
                }
            }
        }
    }

    /// <summary>
    /// Writes the tree of <paramref name="root"/>'s entries without those in <paramref name="remove"/> (sorted, disjoint
    /// index ranges <c>[Start, End)</c>), followed by <paramref name="append"/>. Leaves that hold no removed entry are
    /// reused whenever the writer stands at a boundary, so only the leaves around a change are read and written
    /// (the last leaf is read when entries are appended: it closed only because its level ended).
    /// <paramref name="removed"/> sees each removed entry.
    /// </summary>
    public async Task<(byte[] Root, ManifestTreeWriter Writer)> EditAsync(byte[] root, IReadOnlyList<(long Start, long End)> remove,
        IAsyncEnumerable<ManifestRecord>? append, Action<ManifestRecord>? removed, CancellationToken ct)
    {
        var old = await LeavesAsync(root, ct);
        var writer = new ManifestTreeWriter(chunks, old.Interior.Concat(old.Leaves.Select(l => SnapshotManifest.KeyOf(l.Leaf.Digest))).ToHashSet());
        var r = 0;
        for (var l = 0; l < old.Leaves.Count; l++)
        {
            var (leaf, start) = old.Leaves[l];
            var end = start + leaf.Count;
            while (r < remove.Count && remove[r].End <= start)
            {
                r++;
            }
            var touched = r < remove.Count && remove[r].Start < end || l == old.Leaves.Count - 1 && append is not null;
            if (!touched && writer.AtBoundary)
            {
                writer.Reuse(leaf);
                continue;
            }
            var node = await NodeAsync(leaf.Digest, ct);
            var range = r;
            for (var i = 0; i < node.Items; i++)
            {
                var index = start + i;
                var record = node.Record(i);
                while (range < remove.Count && remove[range].End <= index)
                {
                    range++;
                }
                if (range < remove.Count && remove[range].Start <= index)
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
        return (await writer.FinishAsync(ct), writer);
    }
}
