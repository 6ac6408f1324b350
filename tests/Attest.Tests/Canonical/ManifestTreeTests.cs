using System.Buffers.Binary;
using System.Security.Cryptography;
using VendorGate.Attest.Digests;

namespace VendorGate.Attest.Tests.Canonical;

public sealed class ManifestTreeTests
{
    /// <summary>Nodes in memory, counting reads and writes.</summary>
    private sealed class MemoryChunks : IManifestChunks
    {
        public Dictionary<string, byte[]> Nodes { get; } = [];
        public int Reads { get; set; }
        public int Writes { get; set; }

        public ValueTask<byte[]> ReadAsync(byte[] digest, CancellationToken ct)
        {
            Reads++;
            return ValueTask.FromResult(Nodes[Convert.ToHexString(digest)]);
        }

        public ValueTask WriteAsync(byte[] digest, ReadOnlyMemory<byte> node, CancellationToken ct)
        {
            Writes++;
            Nodes[Convert.ToHexString(digest)] = node.ToArray();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary><paramref name="batches"/> batches of 1-6,000 entries each (seeded), entries consecutive per batch.</summary>
    private static List<ManifestRecord> Entries(int batches, int seed = 1)
    {
        var random = new Random(seed);
        var entries = new List<ManifestRecord>();
        for (var b = 0; b < batches; b++)
        {
            var batch = new Guid(b + 1, 0, 0, new byte[8]);
            var annotator = new Guid(0, 0, 0, [0, 0, 0, 0, 0, 0, 0, (byte)(b % 7)]);
            var size = random.Next(1, 6_000);
            for (var line = 0; line < size; line++)
            {
                entries.Add(new ManifestRecord(SHA256.HashData(BitConverter.GetBytes(((long)seed << 40) + entries.Count)), batch, annotator, line, b % 3 - 1));
            }
        }
        return entries;
    }

    private static async Task<byte[]> BuildAsync(IEnumerable<ManifestRecord> entries, IManifestChunks? chunks = null)
    {
        var writer = new ManifestTreeWriter(chunks);
        foreach (var entry in entries)
        {
            await writer.AddAsync(entry, CancellationToken.None);
        }
        return await writer.FinishAsync(CancellationToken.None);
    }

    private static async IAsyncEnumerable<ManifestRecord> Async(IEnumerable<ManifestRecord> entries)
    {
        foreach (var entry in entries)
        {
            yield return entry;
        }
        await Task.CompletedTask;
    }

    private static void AssertSame(ManifestRecord expected, ManifestRecord actual)
    {
        Assert.Equal(expected.Digest, actual.Digest);
        Assert.Equal((expected.BatchId, expected.AnnotatorId, expected.Line, expected.Domain), (actual.BatchId, actual.AnnotatorId, actual.Line, actual.Domain));
    }

    [Fact]
    public async Task Entries_read_back_by_index_and_by_range_through_three_levels()
    {
        var entries = Entries(100); // ~300k entries: leaves, one interior level and a root
        var chunks = new MemoryChunks();
        var root = await BuildAsync(entries, chunks);
        var reader = new ManifestTreeReader(chunks);

        var rootNode = await reader.NodeAsync(root, CancellationToken.None);
        Assert.Equal(2, rootNode.Level);
        Assert.Equal(entries.Count, rootNode.Count);
        foreach (var index in new[] { 0, 1, 1023, 1024, entries.Count / 2, entries.Count - 1 })
        {
            AssertSame(entries[index], await reader.AtAsync(root, index, CancellationToken.None));
        }
        var range = await reader.ReadAsync(root, 5_000, 17_000, CancellationToken.None).ToListAsync();
        Assert.Equal(12_000, range.Count);
        for (var i = 0; i < range.Count; i++)
        {
            AssertSame(entries[5_000 + i], range[i]);
        }
        var leaves = await reader.LeavesAsync(root, CancellationToken.None);
        Assert.InRange(leaves.Leaves.Average(l => l.Leaf.Count), 700, 1_400); // about the target of 1,024
        Assert.All(leaves.Leaves.SkipLast(1), l => Assert.InRange(l.Leaf.Count, ManifestTree.Leaves.Min, ManifestTree.Leaves.Max));
    }

    [Fact]
    public async Task A_node_that_does_not_hash_to_its_name_is_refused()
    {
        var chunks = new MemoryChunks();
        var root = await BuildAsync(Entries(3), chunks);
        var leaf = (await new ManifestTreeReader(chunks).LeavesAsync(root, CancellationToken.None)).Leaves[1].Leaf.Digest;
        chunks.Nodes[Convert.ToHexString(leaf)][100] ^= 1;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new ManifestTreeReader(chunks).ReadAsync(root, 0, 20_000, CancellationToken.None).ToListAsync().AsTask());
        Assert.Contains("does not hash to its name", error.Message);
    }

    [Fact]
    public async Task An_edit_gives_the_root_of_a_rebuild_and_writes_only_the_nodes_around_the_change()
    {
        var entries = Entries(100);
        var chunks = new MemoryChunks();
        var root = await BuildAsync(entries, chunks);
        var batchOf = entries.GroupBy(e => e.BatchId).ToDictionary(g => g.Key, g => g.Count());
        // Remove batch 40 (in the middle) and batch 70, append 10,000 new entries.
        var removedBatches = new[] { new Guid(40, 0, 0, new byte[8]), new Guid(70, 0, 0, new byte[8]) };
        var ranges = removedBatches.Select(b => ((long)entries.FindIndex(e => e.BatchId == b), (long)entries.FindLastIndex(e => e.BatchId == b) + 1)).ToList();
        var appended = Entries(3, seed: 2).Take(10_000).ToList();
        var expected = entries.Where(e => !removedBatches.Contains(e.BatchId)).Concat(appended).ToList();

        chunks.Writes = chunks.Reads = 0;
        var removed = new List<ManifestRecord>();
        var (edited, writer) = await new ManifestTreeReader(chunks).EditAsync(root, ranges, Async(appended), removed.Add, CancellationToken.None);

        Assert.Equal(await BuildAsync(expected), edited);
        Assert.Equal(expected.Count, writer.Count);
        Assert.Equal(batchOf[removedBatches[0]] + batchOf[removedBatches[1]], removed.Count);
        Assert.All(removed, r => Assert.Contains(r.BatchId, removedBatches));
        var leaves = (await new ManifestTreeReader(chunks).LeavesAsync(edited, CancellationToken.None)).Leaves.Count;
        // ~300 leaves: the two removals touch a few each, the append about ten, plus the interior levels.
        Assert.InRange(chunks.Writes, 10, 40);
        Assert.True(chunks.Writes < leaves / 5, $"{chunks.Writes} nodes written of {leaves} leaves");
    }

    [Fact]
    public async Task AddNodes_names_every_node_of_two_trees_reading_shared_subtrees_once_and_no_leaf()
    {
        var entries = Entries(100);
        var chunks = new MemoryChunks();
        var first = await BuildAsync(entries, chunks);
        var (second, _) = await new ManifestTreeReader(chunks).EditAsync(first, [(entries.Count / 2, entries.Count / 2 + 1_000)], null, null, CancellationToken.None);
        var reader = new ManifestTreeReader(chunks);
        var (interior, interiorOfSecond) = ((await reader.LeavesAsync(first, CancellationToken.None)).Interior, (await reader.LeavesAsync(second, CancellationToken.None)).Interior);

        var nodes = new HashSet<DigestKey>();
        chunks.Reads = 0;
        await reader.AddNodesAsync(first, nodes, CancellationToken.None);
        Assert.Equal(interior.Count, chunks.Reads); // the leaves are named by their parents, not read
        chunks.Reads = 0;
        await reader.AddNodesAsync(second, nodes, CancellationToken.None);

        // Every node stored is in one tree or the other (the edit wrote only the second's new nodes), and none else.
        Assert.Equal(chunks.Nodes.Keys.Select(hex => SnapshotManifest.KeyOf(Convert.FromHexString(hex))).ToHashSet(), nodes);
        // Of the second, only the interior nodes the first does not share are read.
        Assert.Equal(interiorOfSecond.Except(interior).Count(), chunks.Reads);
        Assert.True(chunks.Reads < interiorOfSecond.Count, $"{chunks.Reads} of {interiorOfSecond.Count} interior nodes read");
    }

    [Fact]
    public async Task Diff_finds_exactly_the_changed_entries_reading_only_unshared_nodes()
    {
        var entries = Entries(100);
        var chunks = new MemoryChunks();
        var a = await BuildAsync(entries, chunks);
        var removedBatch = new Guid(33, 0, 0, new byte[8]);
        var appended = Entries(2, seed: 3).Take(5_000).ToList();
        var after = entries.Where(e => e.BatchId != removedBatch).Concat(appended).ToList();
        var b = await BuildAsync(after, chunks);

        chunks.Reads = 0;
        var changes = await new ManifestTreeReader(chunks).DiffAsync(a, b, CancellationToken.None).ToListAsync();

        var removed = changes.Where(c => !c.Added).ToList();
        var added = changes.Where(c => c.Added).ToList();
        Assert.Equal(entries.Select((e, i) => (e, i)).Where(x => x.e.BatchId == removedBatch).Select(x => (long)x.i), removed.Select(c => c.Index));
        Assert.Equal(Enumerable.Range(after.Count - appended.Count, appended.Count).Select(i => (long)i), added.Select(c => c.Index));
        Assert.All(added, c => AssertSame(after[(int)c.Index], c.Record));
        Assert.InRange(chunks.Reads, 4, 40); // of ~300 leaves
        Assert.Empty(await new ManifestTreeReader(chunks).DiffAsync(b, b, CancellationToken.None).ToListAsync());
        Assert.Equal(changes.Count, (await new ManifestTreeReader(chunks).DiffAsync(b, a, CancellationToken.None).ToListAsync()).Count);
    }

    [Fact]
    public async Task FirstIndex_finds_where_each_batch_starts_and_ends()
    {
        var entries = Entries(50);
        var chunks = new MemoryChunks();
        var root = await BuildAsync(entries, chunks);
        var reader = new ManifestTreeReader(chunks);
        var ranks = entries.Select(e => e.BatchId).Distinct().Select((b, i) => (b, i)).ToDictionary(x => x.b, x => x.i);
        int Rank(Guid batch) => ranks[batch];

        foreach (var n in new[] { 1, 2, 25, 50 })
        {
            var batch = new Guid(n, 0, 0, new byte[8]);
            var start = await reader.FirstIndexAsync(root, b => Rank(b) >= Rank(batch), CancellationToken.None);
            var end = await reader.FirstIndexAsync(root, b => Rank(b) > Rank(batch), CancellationToken.None);
            Assert.Equal(entries.FindIndex(e => e.BatchId == batch), start);
            Assert.Equal(entries.FindLastIndex(e => e.BatchId == batch) + 1, end);
        }
    }

    [Fact]
    public async Task Entries_whose_hashes_never_close_a_chunk_still_give_bounded_leaves()
    {
        // An attacker can grind examples whose digests never meet the boundary test: leaves stop at the maximum.
        var entries = Entries(5).Select(e =>
        {
            var digest = (byte[])e.Digest.Clone();
            var tail = BinaryPrimitives.ReadUInt64LittleEndian(digest.AsSpan(24));
            BinaryPrimitives.WriteUInt64LittleEndian(digest.AsSpan(24), tail - tail % 1024 + 1);
            return e with { Digest = digest };
        }).ToList();
        var chunks = new MemoryChunks();
        var root = await BuildAsync(entries, chunks);

        var leaves = (await new ManifestTreeReader(chunks).LeavesAsync(root, CancellationToken.None)).Leaves;
        Assert.All(leaves.SkipLast(1), l => Assert.Equal(ManifestTree.Leaves.Max, l.Leaf.Count));
        Assert.Equal(entries.Count, leaves.Sum(l => l.Leaf.Count));
    }

    [Fact]
    public async Task An_empty_manifest_is_one_empty_leaf_and_edits_to_and_from_it()
    {
        var chunks = new MemoryChunks();
        var empty = await BuildAsync([], chunks);
        var node = await new ManifestTreeReader(chunks).NodeAsync(empty, CancellationToken.None);
        Assert.Equal((0, 0), (node.Level, node.Items));

        var entries = Entries(2);
        var (filled, _) = await new ManifestTreeReader(chunks).EditAsync(empty, [], Async(entries), null, CancellationToken.None);
        Assert.Equal(await BuildAsync(entries), filled);
        var (emptied, _) = await new ManifestTreeReader(chunks).EditAsync(filled, [(0, entries.Count)], null, null, CancellationToken.None);
        Assert.Equal(empty, emptied);
    }
}
