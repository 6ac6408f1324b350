using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Revocations;

public static class RevocationStatus
{
    public const string Pending = "pending";
    public const string Completed = "completed";
}

/// <summary>Security's removal of an annotator's (or one batch's) contributions, and what it affected. It completes when
/// its statement is signed.</summary>
[Table("revocations")]
[Index(nameof(AnnotatorId))]
[Index(nameof(BatchId))]
public sealed class Revocation
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid? AnnotatorId { get; init; }
    public Guid? BatchId { get; init; }
    public required string Reason { get; init; }
    public Guid RequestedBy { get; init; }
    public DateTimeOffset RequestedAt { get; init; }
    public required string Status { get; set; }

    /// <summary>Space-separated ids of the batches whose examples are removed.</summary>
    public required string Batches { get; init; }

    public string? NewSnapshot { get; set; }
    public long RemovedCount { get; set; }

    /// <summary>JSON: [{version, count}] and [{name, snapshot, count}].</summary>
    public string AffectedSnapshots { get; set; } = "[]";
    public string AffectedModels { get; set; } = "[]";

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The signed statement of what was removed and what it affected (<see cref="RevocationAttestation"/>).</summary>
    public Attestation Attestation { get; init; } = new();
}
