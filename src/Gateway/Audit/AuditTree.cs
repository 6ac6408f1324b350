using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Attest.Signing;
using VendorGate.Attest.Transparency;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Audit;

public sealed record InclusionProofView(long Seq, long LeafIndex, long TreeSize, string LeafHash, string RootHash, IReadOnlyList<string> Proof);

public sealed record ConsistencyProofView(long From, long To, string FromRoot, string ToRoot, IReadOnlyList<string> Proof);

/// <summary>What <c>GET /v1/audit/verify?checkpoint=</c> found: whether the log now extends the checkpoint, and the
/// proof of it an auditor can check offline (<c>vendorgate-verify audit</c>).</summary>
public sealed record CheckpointCheck(bool Consistent, string Origin, long Size, string RootHash, string? Reason, ConsistencyProofView? Proof);

/// <summary>
/// The audit log as an RFC 9162 Merkle tree: leaf i is the canonical JSON of entry i+1 (<see cref="AuditLog.Canonical(AuditEntry)"/>),
/// in sequence order. Its heads are published as signed C2SP checkpoints; a checkpoint an auditor kept pins the log's
/// past: a log truncated, wiped or rewritten since cannot prove it extends it.
/// </summary>
public sealed class AuditTree(VendorGateDb db, ISigner signer, SigningKeyRegistry keys, IOptions<VendorGateOptions> options)
{
    public string Origin => options.Value.Audit.Origin;

    /// <summary>The leaf hashes of every entry, in sequence order, with each entry's sequence number.</summary>
    public async Task<(List<byte[]> Leaves, List<long> Seqs)> LeavesAsync(CancellationToken ct)
    {
        var leaves = new List<byte[]>();
        var seqs = new List<long>();
        await foreach (var e in db.AuditEntries.AsNoTracking().OrderBy(a => a.Seq).AsAsyncEnumerable().WithCancellation(ct))
        {
            leaves.Add(MerkleTree.LeafHash(AuditLog.Canonical(e)));
            seqs.Add(e.Seq);
        }
        return (leaves, seqs);
    }

    /// <summary>A signed checkpoint of the first <paramref name="size"/> entries (all, when null), or null when the log
    /// has fewer. Signed by <paramref name="key"/> (the signer's current key when null).</summary>
    public async Task<string?> CheckpointAsync(long? size, Jwk? key, CancellationToken ct)
    {
        key ??= await signer.GetCurrentKeyAsync(ct);
        await keys.RecordAsync(key, ct); // before the leaves: recording a key's first use is itself an entry
        var (leaves, _) = await LeavesAsync(ct);
        var n = size ?? leaves.Count;
        if (n < 0 || n > leaves.Count)
        {
            return null;
        }
        var checkpoint = new Checkpoint(Origin, n, MerkleTree.Root(leaves, n));
        var signature = await signer.SignAsync(key, Encoding.UTF8.GetBytes(checkpoint.Text), ct);
        return checkpoint.ToNote(Origin, Checkpoint.KeyId(key), Checkpoint.NoteSignatureOf(key, signature));
    }

    /// <summary>Whether the log now extends <paramref name="checkpoint"/> (a note this Gateway signed), with the proof.</summary>
    public async Task<CheckpointCheck> CheckAsync(Checkpoint checkpoint, IReadOnlyList<Checkpoint.NoteSignature> signatures, CancellationToken ct)
    {
        var root = Convert.ToBase64String(checkpoint.RootHash);
        CheckpointCheck Inconsistent(string reason) => new(false, checkpoint.Origin, checkpoint.Size, root, reason, null);
        if (checkpoint.Origin != Origin)
        {
            return Inconsistent($"the checkpoint is of the log '{checkpoint.Origin}', not of this one ('{Origin}')");
        }
        if (checkpoint.VerifiedBy(signatures, await keys.ToJwksAsync(ct)) is null)
        {
            return Inconsistent("no signature on the checkpoint verifies with a key of this Gateway (GET /.well-known/vendorgate/keys)");
        }
        var (leaves, _) = await LeavesAsync(ct);
        if (checkpoint.Size > leaves.Count)
        {
            return Inconsistent($"the log holds {leaves.Count} entries, fewer than the {checkpoint.Size} the checkpoint commits to: it was truncated");
        }
        if (checkpoint.Size == 0)
        {
            return new CheckpointCheck(true, checkpoint.Origin, 0, root, null, null);
        }
        if (!MerkleTree.Root(leaves, checkpoint.Size).AsSpan().SequenceEqual(checkpoint.RootHash))
        {
            return Inconsistent($"the log's first {checkpoint.Size} entries are not those the checkpoint commits to: entries were removed or rewritten");
        }
        return new CheckpointCheck(true, checkpoint.Origin, checkpoint.Size, root, null, Consistency(leaves, checkpoint.Size, leaves.Count));
    }

    public static ConsistencyProofView Consistency(List<byte[]> leaves, long from, long to) => new(from, to,
        Convert.ToBase64String(MerkleTree.Root(leaves, from)), Convert.ToBase64String(MerkleTree.Root(leaves, to)),
        MerkleTree.ConsistencyProof(leaves, from, to).Select(Convert.ToBase64String).ToList());

    public static InclusionProofView Inclusion(List<byte[]> leaves, long seq, long index, long size) => new(seq, index, size,
        Convert.ToBase64String(leaves[(int)index]), Convert.ToBase64String(MerkleTree.Root(leaves, size)),
        MerkleTree.InclusionProof(leaves, index, size).Select(Convert.ToBase64String).ToList());
}
