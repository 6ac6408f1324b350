using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;

namespace VendorGate.Gateway.Identity;

/// <summary>A person or pipeline that acts through API keys: a vendor's annotator or admin, or a staff member.</summary>
public sealed class Principal
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Kind { get; init; }
    public required string Handle { get; init; }
    public string? DisplayName { get; set; }
    public Guid? VendorId { get; init; }

    /// <summary>Roles, stored as one space-separated column.</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>A pipeline, not a person (contributor or eval-harness roles only): an admin may mint its keys; it never reviews.</summary>
    public bool Service { get; init; }

    /// <summary>A staff member who signs in through OpenID Connect: the provider's issuer, and the subject it names them
    /// by (or, until their first sign-in, the verified e-mail an admin registered).</summary>
    public string? OidcIssuer { get; init; }
    public string? OidcSubject { get; set; }
    public string? OidcEmail { get; init; }

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();
}

/// <summary>An API key: only the SHA-256 of its secret is kept.</summary>
public sealed class ApiKey
{
    public required string Id { get; init; }
    public Guid PrincipalId { get; init; }
    public required byte[] SecretHash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public Principal? Principal { get; init; }

    /// <summary>How the key came to be (<see cref="KeyOrigins"/>), and who minted it.</summary>
    public string Origin { get; init; } = KeyOrigins.Self;
    public Guid? MintedBy { get; init; }
}

/// <summary>How a key was minted: only its owner ever saw the secret, except for service principals and the bootstrap admin.</summary>
public static class KeyOrigins
{
    /// <summary>Redeemed from an enrolment invitation by the person themself.</summary>
    public const string Invitation = "invitation";

    /// <summary>Minted by its owner with another of their keys.</summary>
    public const string Self = "self";

    /// <summary>Minted by an admin for a service principal (a pipeline).</summary>
    public const string Service = "service";

    /// <summary>Written to the data folder on first start.</summary>
    public const string Bootstrap = "bootstrap";
}

/// <summary>A one-time enrolment invitation: redeemed once, before it expires, by the person it names, for their own
/// first key. Only the SHA-256 of its secret is kept; it authenticates nothing else.</summary>
[Table("invitations")]
[Index(nameof(PrincipalId))]
public sealed class Invitation
{
    public required string Id { get; init; }
    public Guid PrincipalId { get; init; }
    public required byte[] SecretHash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public Guid CreatedBy { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? RedeemedAt { get; set; }
    public string? KeyId { get; set; }
}
