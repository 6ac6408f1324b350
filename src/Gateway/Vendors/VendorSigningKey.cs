using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;

namespace VendorGate.Gateway.Vendors;

/// <summary>A vendor's own public key (P-256 or RSA ≥ 3072), registered by its vendor-admin; its signatures
/// on a receipt statement sit beside the Gateway's in the same envelope.</summary>
[Table("vendor_signing_keys")]
[PrimaryKey(nameof(Kid))]
[Index(nameof(VendorId))]
public sealed class VendorSigningKey
{
    public required string Kid { get; init; }
    public Guid VendorId { get; init; }

    /// <summary>The public JWK, JSON.</summary>
    public required string Jwk { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }
}
