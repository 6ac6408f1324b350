using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;

namespace VendorGate.Gateway.Attestations;

/// <summary>A key that has signed at least once. Kept forever so old attestations stay verifiable.</summary>
[Table("signing_keys")]
[PrimaryKey(nameof(Kid))]
public sealed class SigningKey
{
    public required string Kid { get; init; }

    /// <summary>The public JWK, JSON.</summary>
    public required string Jwk { get; init; }

    public DateTimeOffset FirstUsedAt { get; init; }

    /// <summary>When a newer key first signed.</summary>
    public DateTimeOffset? RetiredAt { get; set; }
}
