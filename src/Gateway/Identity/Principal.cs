namespace VendorGate.Gateway.Identity;

/// <summary>A person or pipeline that acts through API keys: a vendor's annotator or admin, or a staff member.</summary>
public sealed class Principal
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Kind { get; init; }
    public required string Handle { get; init; }
    public string? DisplayName { get; set; }
    public Guid? VendorId { get; init; }

    /// <summary>Roles, space separated.</summary>
    public required string Roles { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }

    public string[] RoleList => Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);
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
}
