using System.Security.Cryptography;
using System.Text;
using VendorGate.Attest.Signing;
using VendorGate.Attest.Transparency;

namespace VendorGate.Attest.Tests.Transparency;

public sealed class MerkleTreeTests
{
    /// <summary>The leaves of the RFC 6962 reference test data, and the roots of their first 1–8.</summary>
    private static readonly string[] ReferenceLeaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly string[] ReferenceRoots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static List<byte[]> Leaves(int n) => Enumerable.Range(0, n).Select(i => MerkleTree.LeafHash(Encoding.UTF8.GetBytes($"entry {i}"))).ToList();

    [Fact]
    public void Roots_match_the_RFC_6962_reference_data()
    {
        var leaves = ReferenceLeaves.Select(h => MerkleTree.LeafHash(Convert.FromHexString(h))).ToList();
        for (var size = 1; size <= leaves.Count; size++)
        {
            Assert.Equal(ReferenceRoots[size - 1], Convert.ToHexStringLower(MerkleTree.Root(leaves, size)));
        }
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(MerkleTree.Root(leaves, 0)));
    }

    [Fact]
    public void Every_inclusion_proof_of_trees_up_to_33_leaves_verifies_and_a_changed_one_does_not()
    {
        var leaves = Leaves(33);
        for (var size = 1; size <= leaves.Count; size++)
        {
            var root = MerkleTree.Root(leaves, size);
            for (var index = 0; index < size; index++)
            {
                var proof = MerkleTree.InclusionProof(leaves, index, size);
                Assert.True(MerkleTree.VerifyInclusion(index, size, leaves[index], proof, root), $"leaf {index} of {size}");
                Assert.False(MerkleTree.VerifyInclusion(index, size, leaves[(index + 1) % leaves.Count], proof, root));
                if (proof.Count > 0)
                {
                    var altered = proof.Select(p => (byte[])p.Clone()).ToList();
                    altered[^1][0] ^= 1;
                    Assert.False(MerkleTree.VerifyInclusion(index, size, leaves[index], altered, root));
                    Assert.False(MerkleTree.VerifyInclusion(index, size, leaves[index], proof.Take(proof.Count - 1).ToList(), root));
                }
            }
        }
    }

    [Fact]
    public void Every_consistency_proof_of_trees_up_to_33_leaves_verifies_and_a_rewritten_past_does_not()
    {
        var leaves = Leaves(33);
        var rewritten = Leaves(33);
        rewritten[4] = MerkleTree.LeafHash("edited"u8);
        for (var newSize = 1; newSize <= leaves.Count; newSize++)
        {
            var newRoot = MerkleTree.Root(leaves, newSize);
            for (var oldSize = 1; oldSize <= newSize; oldSize++)
            {
                var oldRoot = MerkleTree.Root(leaves, oldSize);
                var proof = MerkleTree.ConsistencyProof(leaves, oldSize, newSize);
                Assert.True(MerkleTree.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, proof), $"{oldSize} → {newSize}");
                if (oldSize > 4 && oldSize < newSize)
                {
                    // A log whose entry 5 changed after the old checkpoint cannot prove it extends it.
                    var forged = MerkleTree.ConsistencyProof(rewritten, oldSize, newSize);
                    Assert.False(MerkleTree.VerifyConsistency(oldSize, newSize, oldRoot, MerkleTree.Root(rewritten, newSize), forged));
                }
            }
        }
    }

    [Fact]
    public void A_checkpoint_note_signed_by_a_key_verifies_with_that_key_only()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = Jwk.FromECDsa(ec);
        var checkpoint = new Checkpoint("vendorgate.example/audit", 42, MerkleTree.Root(Leaves(42), 42));
        var signature = Checkpoint.ToDer(ec.SignData(Encoding.UTF8.GetBytes(checkpoint.Text), HashAlgorithmName.SHA256));
        var note = checkpoint.ToNote(checkpoint.Origin, Checkpoint.KeyId(key), signature);

        Assert.Matches("^vendorgate.example/audit\n42\n[A-Za-z0-9+/]{43}=\n\n\u2014 vendorgate.example/audit [A-Za-z0-9+/=]+\n$", note);
        var (parsed, signatures) = Checkpoint.Parse(note);
        Assert.Equal(checkpoint.Text, parsed.Text);
        Assert.Equal(key, parsed.VerifiedBy(signatures, new JsonWebKeySet([key])));
        Assert.Null(parsed.VerifiedBy(signatures, new JsonWebKeySet([Jwk.FromECDsa(other)])));
        var (forged, forgedSignatures) = Checkpoint.Parse(note.Replace("\n42\n", "\n41\n"));
        Assert.Null(forged.VerifiedBy(forgedSignatures, new JsonWebKeySet([key])));
        Assert.Throws<FormatException>(() => Checkpoint.Parse("vendorgate.example/audit\n42\n"));
        Assert.Throws<FormatException>(() => Checkpoint.Parse("origin\nforty\nAAAA\n\n\u2014 origin AAAAAAAA\n"));
    }
}
