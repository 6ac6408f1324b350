using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;

namespace VendorGate.Gateway.Compliance;

/// <summary>A compliance document a vendor (or procurement) filed: stored as a blob with its SHA-256, counted toward
/// requirements once procurement has verified it.</summary>
[Table("vendor_evidence")]
[Index(nameof(VendorId))]
public sealed class VendorEvidence
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid VendorId { get; init; }
    public required string Kind { get; init; }
    public DateTimeOffset IssuedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Values the document declares, e.g. <c>labelEditLogRetentionDays</c>, as a JSON object.</summary>
    public required string Declared { get; init; }

    public required string FileName { get; init; }
    public required string ContentType { get; init; }
    public long Size { get; init; }
    public required string Blob { get; init; }
    public required string Digest { get; init; }
    public DateTimeOffset UploadedAt { get; init; }
    public Guid UploadedBy { get; init; }
    public DateTimeOffset? VerifiedAt { get; set; }
    public Guid? VerifiedBy { get; set; }
}

/// <summary>A vendor-admin's acknowledgement of the revocation procedure (that one annotator's work can be removed after the fact).</summary>
[Table("revocation_acknowledgements")]
[Index(nameof(VendorId))]
public sealed class RevocationAcknowledgement
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid VendorId { get; init; }
    public required string Statement { get; init; }
    public DateTimeOffset At { get; init; }
    public Guid By { get; init; }
}

/// <summary>A vendor's compliance status on one day (UTC), the last assessed that day: the history behind "status over time".</summary>
[Table("compliance_history")]
[PrimaryKey(nameof(VendorId), nameof(Day))]
public sealed class ComplianceRecord
{
    public Guid VendorId { get; init; }

    /// <summary>yyyy-MM-dd (UTC).</summary>
    public required string Day { get; init; }

    public required string Status { get; set; }
}

/// <summary>Procurement's time-boxed permission for a vendor that is not (yet) compliant to upload: why, until when, by whom.</summary>
[Table("compliance_exceptions")]
[Index(nameof(VendorId))]
public sealed class ComplianceException
{
    public const int MaxDays = 90;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid VendorId { get; init; }
    public required string Reason { get; init; }
    public DateTimeOffset GrantedAt { get; init; }
    public Guid GrantedBy { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
}

/// <summary>Procurement's record that it reviewed the vendor's revocations up to <see cref="At"/>: a revocation for cause
/// keeps the vendor at-risk until one is recorded after it.</summary>
[Table("revocation_reviews")]
[Index(nameof(VendorId))]
public sealed class RevocationReview
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid VendorId { get; init; }
    public required string Note { get; init; }
    public DateTimeOffset At { get; init; }
    public Guid By { get; init; }
}
