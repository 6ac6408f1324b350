using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Exports;

public static class ExportStatus
{
    /// <summary>Waiting for the job, or being written (<see cref="SnapshotExport.RowsWritten"/> counts).</summary>
    public const string Writing = "writing";

    /// <summary>Every file is stored; the statement naming their digests is being signed.</summary>
    public const string Signing = "signing";

    /// <summary>Files and signed statement ready.</summary>
    public const string Completed = "completed";
}

public static class ExportFormats
{
    public const string Parquet = "parquet";

    public static readonly string[] All = [Parquet];
}

/// <summary>One stored file of an export: its path under the export (<c>data/train-00000-of-00002.parquet</c>,
/// <c>README.md</c>), SHA-256 (hex), size and rows (0 for the card).</summary>
public sealed record ExportFile(string Name, string Sha256, long Size, long Rows);

/// <summary>A snapshot written out in a format training pipelines read. A snapshot is immutable, so it is exported
/// once per format: asking again returns the same export. The files are named in <see cref="Files"/> only once all
/// are stored; the export completes when the statement naming their digests is signed.</summary>
[Table("exports")]
[Index(nameof(SnapshotVersion), nameof(Format), IsUnique = true)]
public sealed class SnapshotExport
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string SnapshotVersion { get; init; }
    public required string Format { get; init; }
    public required string Status { get; set; }
    public Guid RequestedBy { get; init; }
    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>The snapshot's examples: the rows the files will hold.</summary>
    public long Rows { get; init; }

    /// <summary>Progress while writing; <see cref="Rows"/> once written.</summary>
    public long RowsWritten { get; set; }

    /// <summary>JSON array of <see cref="ExportFile"/>; empty until every file is stored.</summary>
    public string Files { get; set; } = "[]";

    /// <summary>Why the last attempt at writing failed (it is retried).</summary>
    public string? Error { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The signed statement whose subjects are the files (<see cref="ExportAttestation"/>).</summary>
    public Attestation Attestation { get; init; } = new();

    /// <summary>Where its files are stored: <c>{prefix}{name}</c>.</summary>
    public static string BlobPrefix(Guid id) => $"exports/{id}/";
}
