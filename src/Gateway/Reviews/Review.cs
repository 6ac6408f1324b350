using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;

namespace VendorGate.Gateway.Reviews;

public static class Decisions
{
    public const string Approve = "approve";
    public const string Reject = "reject";
}

/// <summary>One maintainer's decision on a batch. The handle is copied so the record reads on its own.</summary>
[Table("reviews")]
public sealed class Review
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BatchId { get; init; }
    public Guid ReviewerId { get; init; }
    public required string ReviewerHandle { get; init; }
    public required string Decision { get; init; }
    public string? Comment { get; init; }
    public DateTimeOffset At { get; init; }

    /// <summary>The credential behind the decision: how the reviewer's key was minted (<c>invitation</c>, <c>self</c>, …).</summary>
    public string? Credential { get; init; }

    /// <summary>For an OpenID Connect sign-in (<c>Credential</c> = <c>oidc</c>): the provider and the subject it named.</summary>
    public string? CredentialIssuer { get; init; }
    public string? CredentialSubject { get; init; }
}

/// <summary>Security's decision that blocking findings do not stop a review.</summary>
[Table("finding_overrides")]
public sealed class FindingOverride
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BatchId { get; init; }
    public Guid SecurityId { get; init; }
    public required string SecurityHandle { get; init; }

    /// <summary>Space separated.</summary>
    public required string FindingCodes { get; init; }

    public required string Justification { get; init; }
    public DateTimeOffset At { get; init; }
}

/// <summary><c>VendorGate:Review</c>.</summary>
public sealed class ReviewOptions
{
    public const string Section = "VendorGate:Review";

    /// <summary>Domains whose batches need two distinct approvals.</summary>
    public string[] SensitiveDomains { get; set; } = [];
}
