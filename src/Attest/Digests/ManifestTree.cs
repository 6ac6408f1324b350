using System.Buffers.Binary;
using System.Security.Cryptography;

namespace VendorGate.Attest.Digests;

/// <summary>
/// A snapshot manifest as a tree of content-defined chunks (format <c>VGT1</c>), so that what a change costs follows
/// the change, not the corpus. Every chunk is one node, stored once under its SHA-256 and shared by every snapshot
/// that holds it:
/// <code>
/// node     "VGT1" (ASCII) | level (uint8) | 3 zero bytes | item count (uint32 LE) | items
/// level 0  items are manifest records, 72 bytes each, exactly as in VGM1 (<see cref="SnapshotManifest"/>)
/// level n  items are references to level n-1 nodes, 56 bytes each:
///          child digest (32) | entries under the child (int64 LE) | batch id of its first entry (16, RFC 4122)
/// </code>
/// The manifest digest, which the snapshot statement signs, is the SHA-256 of the root node; it covers every node
/// below it. The tree is a function of the entries alone (the same entries give the same root however they were
/// edited), so anyone can rebuild it from the entries. Boundaries are content-defined: an item closes its chunk when
/// the chunk has at least <see cref="ChunkingRule.Min"/> items and the item's hash (bytes 24-31 of its digest, as
/// uint64 LE) is divisible by <see cref="ChunkingRule.Target"/>, or when the chunk reaches <see cref="ChunkingRule.Max"/>
/// items. The window of this rolling hash is one item, because an item already is a SHA-256 (of an example, or of a
/// child node): an insertion or a removal changes the chunk it falls in and, at most, the next few, and the rest of
/// the tree is shared. The last chunk of a level ends with the level; a level of one chunk is the root. An empty
/// manifest is one empty leaf.
/// <para>Examples are in snapshot order, and the entries of one batch are consecutive (a cut appends each batch whole,
/// a revocation removes batches whole), so the first-entry batch ids of the references let a reader find a batch's
/// entries by descending the tree (<see cref="ManifestTreeReader.FirstIndexAsync"/>).</para>
/// </summary>
public static class ManifestTree
{
    /// <summary>The format's name, as the snapshot statement gives it.</summary>
    public const string Format = "VGT1";
    /// <summary>Bytes before a node's first item.</summary>
    public const int HeaderSize = 12;
    /// <summary>Bytes per reference.</summary>
    public const int RefSize = 56;

    /// <summary>Leaves: about 1,024 records (72 KiB) each.</summary>
    public static readonly ChunkingRule Leaves = new(Min: 128, Target: 1024, Max: 8192);

    /// <summary>Interior nodes: about 256 references (14 KiB) each; a 10M-example manifest is three levels.</summary>
    public static readonly ChunkingRule Nodes = new(Min: 32, Target: 256, Max: 2048);

    private static ReadOnlySpan<byte> Magic => "VGT1"u8;

    /// <summary>Bytes per item of a node of <paramref name="level"/>.</summary>
    public static int ItemSize(int level) => level == 0 ? SnapshotManifest.RecordSize : RefSize;

    /// <summary>Whether <paramref name="digest"/>, the <paramref name="items"/>-th item of a chunk, closes it.</summary>
    public static bool ClosesChunk(ReadOnlySpan<byte> digest, int items, ChunkingRule rule) =>
        items >= rule.Max || items >= rule.Min && BinaryPrimitives.ReadUInt64LittleEndian(digest[24..32]) % (ulong)rule.Target == 0;

    /// <summary>Writes a node's 12-byte header.</summary>
    public static void WriteHeader(Span<byte> node, int level, int items)
    {
        Magic.CopyTo(node);
        node[4] = (byte)level;
        node[5..8].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(node[8..], (uint)items);
    }

    /// <summary>Encodes a reference into 56 bytes.</summary>
    public static void WriteRef(in ChunkRef reference, Span<byte> destination)
    {
        reference.Digest.CopyTo(destination);
        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], reference.Count);
        reference.FirstBatch.TryWriteBytes(destination[40..], bigEndian: true, out _);
    }

    /// <summary>Decodes a 56-byte reference.</summary>
    public static ChunkRef ReadRef(ReadOnlySpan<byte> source) =>
        new(source[..32].ToArray(), BinaryPrimitives.ReadInt64LittleEndian(source[32..]), new Guid(source[40..56], bigEndian: true));

    /// <summary>Decodes a node read from storage, checking that it is the node named <paramref name="digest"/>.</summary>
    /// <exception cref="InvalidDataException">Not a VGT1 node, or not the one asked for.</exception>
    public static ManifestNode Decode(byte[] bytes, ReadOnlySpan<byte> digest)
    {
        if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(digest))
        {
            throw new InvalidDataException($"manifest node sha256:{Convert.ToHexStringLower(digest)} does not hash to its name");
        }
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a VGT1 manifest node");
        }
        var level = bytes[4];
        var items = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (bytes.Length != HeaderSize + (long)items * ItemSize(level))
        {
            throw new InvalidDataException($"manifest node sha256:{Convert.ToHexStringLower(digest)} is truncated");
        }
        return new ManifestNode(level, (int)items, bytes);
    }
}

/// <summary>Where chunks close: see <see cref="ManifestTree"/>.</summary>
/// <param name="Min">Items a chunk has at least (but the last of its level).</param>
/// <param name="Target">The mean items per chunk the hash aims at.</param>
/// <param name="Max">Items that close a chunk whatever their hash.</param>
public readonly record struct ChunkingRule(int Min, int Target, int Max);

/// <summary>A reference to a node: its digest, how many entries are below it, and the batch of the first of them.</summary>
/// <param name="Digest">SHA-256 of the node.</param>
/// <param name="Count">Entries below it.</param>
/// <param name="FirstBatch">The batch of its first entry (empty for an empty leaf).</param>
public readonly record struct ChunkRef(byte[] Digest, long Count, Guid FirstBatch);

/// <summary>One decoded node: records (level 0) or references (above).</summary>
public sealed class ManifestNode(int level, int items, byte[] bytes)
{
    /// <summary>0 for a leaf.</summary>
    public int Level => level;
    /// <summary>Records or references in the node.</summary>
    public int Items => items;

    /// <summary>The bytes of item <paramref name="i"/>.</summary>
    public ReadOnlySpan<byte> Item(int i) => bytes.AsSpan(ManifestTree.HeaderSize + i * ManifestTree.ItemSize(level), ManifestTree.ItemSize(level));

    /// <summary>Record <paramref name="i"/> of a leaf.</summary>
    public ManifestRecord Record(int i) => SnapshotManifest.Read(Item(i));

    /// <summary>Reference <paramref name="i"/> of an interior node.</summary>
    public ChunkRef Ref(int i) => ManifestTree.ReadRef(Item(i));

    /// <summary>The batch of item <paramref name="i"/>'s first entry.</summary>
    public Guid FirstBatch(int i) => new(level == 0 ? Item(i)[32..48] : Item(i)[40..56], bigEndian: true);

    /// <summary>Entries below item <paramref name="i"/>.</summary>
    public long CountOf(int i) => level == 0 ? 1 : BinaryPrimitives.ReadInt64LittleEndian(Item(i)[32..]);

    /// <summary>Entries below the node.</summary>
    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i < items; i++)
            {
                total += CountOf(i);
            }
            return total;
        }
    }
}

/// <summary>Where the nodes of manifest trees are kept, by digest.</summary>
public interface IManifestChunks
{
    /// <summary>The node's bytes, as stored (the reader checks them against the digest).</summary>
    ValueTask<byte[]> ReadAsync(byte[] digest, CancellationToken cancellationToken);

    /// <summary>Stores a node under its digest; one already there is the same node.</summary>
    ValueTask WriteAsync(byte[] digest, ReadOnlyMemory<byte> node, CancellationToken cancellationToken);
}
