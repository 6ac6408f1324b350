using System.Security.Cryptography;

namespace VendorGate.Attest.Transparency;

/// <summary>
/// The Merkle tree of RFC 9162 §2.1 over leaf hashes: <c>leaf = SHA-256(0x00 || data)</c>,
/// <c>node = SHA-256(0x01 || left || right)</c>, a tree of n leaves split at the largest power of two below n.
/// Proofs are made from the leaf hashes of the larger tree and verified with the algorithms of §2.1.3.2 and §2.1.4.2.
/// </summary>
public static class MerkleTree
{
    /// <summary>SHA-256's output, in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>SHA-256 of the empty string: the root of a tree with no leaves.</summary>
    public static readonly byte[] EmptyRoot = SHA256.HashData([]);

    /// <summary>The hash of a leaf: <c>SHA-256(0x00 || data)</c>.</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[data.Length + 1];
        data.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    /// <summary>The hash of an interior node: <c>SHA-256(0x01 || left || right)</c>.</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashSize];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>The root of the first <paramref name="size"/> leaves.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leaves, long size) => size == 0 ? EmptyRoot : Subtree(leaves, 0, size);

    /// <summary>The audit path of leaf <paramref name="index"/> in the tree of the first <paramref name="size"/> leaves.</summary>
    public static List<byte[]> InclusionProof(IReadOnlyList<byte[]> leaves, long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, leaves.Count);
        var proof = new List<byte[]>();
        Path(index, 0, size);
        return proof;

        void Path(long m, long start, long n)
        {
            if (n <= 1)
            {
                return;
            }
            var k = Split(n);
            if (m < k)
            {
                Path(m, start, k);
                proof.Add(Subtree(leaves, start + k, n - k));
            }
            else
            {
                Path(m - k, start + k, n - k);
                proof.Add(Subtree(leaves, start, k));
            }
        }
    }

    /// <summary>The consistency proof between the trees of the first <paramref name="oldSize"/> and <paramref name="newSize"/> leaves.</summary>
    public static List<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leaves, long oldSize, long newSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(newSize, leaves.Count);
        var proof = new List<byte[]>();
        SubProof(oldSize, 0, newSize, true);
        return proof;

        void SubProof(long m, long start, long n, bool complete)
        {
            if (m == n)
            {
                if (!complete)
                {
                    proof.Add(Subtree(leaves, start, n));
                }
                return;
            }
            var k = Split(n);
            if (m <= k)
            {
                SubProof(m, start, k, complete);
                proof.Add(Subtree(leaves, start + k, n - k));
            }
            else
            {
                SubProof(m - k, start + k, n - k, false);
                proof.Add(Subtree(leaves, start, k));
            }
        }
    }

    /// <summary>RFC 9162 §2.1.3.2: whether <paramref name="proof"/> places <paramref name="leafHash"/> at
    /// <paramref name="index"/> of the tree of <paramref name="size"/> leaves whose root is <paramref name="root"/>.</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size)
        {
            return false;
        }
        long fn = index, sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = NodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>RFC 9162 §2.1.4.2: whether <paramref name="proof"/> shows the tree of <paramref name="newSize"/> leaves
    /// (root <paramref name="newRoot"/>) extends the tree of <paramref name="oldSize"/> leaves (root <paramref name="oldRoot"/>).</summary>
    public static bool VerifyConsistency(long oldSize, long newSize, ReadOnlySpan<byte> oldRoot, ReadOnlySpan<byte> newRoot, IReadOnlyList<byte[]> proof)
    {
        if (oldSize <= 0 || oldSize > newSize)
        {
            return false;
        }
        if (oldSize == newSize)
        {
            return proof.Count == 0 && oldRoot.SequenceEqual(newRoot);
        }
        if (proof.Count == 0)
        {
            return false;
        }
        var path = new List<byte[]>(proof);
        if ((oldSize & (oldSize - 1)) == 0)
        {
            path.Insert(0, oldRoot.ToArray()); // the old tree is a complete subtree: its root starts the path
        }
        long fn = oldSize - 1, sn = newSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path[0], sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.AsSpan().SequenceEqual(oldRoot) && sr.AsSpan().SequenceEqual(newRoot);
    }

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n &gt; 1).</summary>
    private static long Split(long n) => 1L << (int)(63 - long.LeadingZeroCount(n - 1));

    private static byte[] Subtree(IReadOnlyList<byte[]> leaves, long start, long n)
    {
        if (n == 1)
        {
            return leaves[(int)start];
        }
        var k = Split(n);
        return NodeHash(Subtree(leaves, start, k), Subtree(leaves, start + k, n - k));
    }
}
