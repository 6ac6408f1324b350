using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Snapshots;

/// <summary>An immutable, signed version of the corpus. Versions are <c>major.minor</c>: a cut adds batches (next major),
/// a revocation removes examples (next minor).</summary>
public sealed class Snapshot
{
    public required string Version { get; init; }
    public int Major { get; init; }
    public int Minor { get; init; }
    public string? Parent { get; init; }
    public required string Message { get; init; }
    public long Count { get; init; }
    /// <summary>The VGM1 manifest blob; for a tree, its root node's blob.</summary>
    public required string ManifestBlob { get; init; }

    /// <summary>The SHA-256 of the VGM1 blob, or of the tree's root node.</summary>
    public required string ManifestDigest { get; init; }

    /// <summary><c>VGT1</c> (a tree of chunks, <see cref="ManifestTree"/>) for every snapshot cut since manifest trees;
    /// <c>VGM1</c> (one flat blob, <see cref="SnapshotManifest"/>) before.</summary>
    public string ManifestFormat { get; init; } = ManifestTree.Format;

    public bool IsTree => ManifestFormat == ManifestTree.Format;

    /// <summary>The tree's root digest.</summary>
    public byte[] Root => Convert.FromHexString(ManifestDigest["sha256:".Length..]);

    /// <summary>The domain table the manifest's domain indexes refer to (JSON array; a child extends its parent's).</summary>
    public string Domains { get; init; } = "[]";

    /// <summary>JSON: addedBatches, removed, byVendor, byAnnotator, byLicense, duplicatesSkipped.</summary>
    public required string Summary { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public Guid CreatedBy { get; init; }

    /// <summary>For a minor snapshot: the revocation that removed examples.</summary>
    public Guid? RevocationId { get; init; }

    /// <summary>The signed snapshot statement: due from the cut.</summary>
    public Attestation Attestation { get; init; } = new();

    public static bool TryParse(string version, out int major, out int minor)
    {
        major = minor = 0;
        var parts = version.Split('.');
        return parts.Length == 2 && int.TryParse(parts[0], out major) && int.TryParse(parts[1], out minor) && major > 0 && minor >= 0;
    }
}

/// <summary>Which batches a snapshot merged (the batches of its ancestors are not repeated).</summary>
[Table("snapshot_batches")]
[PrimaryKey(nameof(Version), nameof(BatchId))]
[Index(nameof(BatchId))]
public sealed class SnapshotBatch
{
    public required string Version { get; init; }
    public Guid BatchId { get; init; }
    public long Added { get; init; }
}

/// <summary>A model trained on a snapshot: blame through the model is blame through its snapshot.</summary>
[Table("models")]
[PrimaryKey(nameof(Name))]
public sealed class Model
{
    public required string Name { get; init; }
    public required string SnapshotVersion { get; init; }
    public string? Notes { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public Guid CreatedBy { get; init; }
}
