using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VendorGate.Gateway.Attestations;

/// <summary>An <see cref="Attestation"/> as four columns of its owner's row: <c>{prefix}State</c>, <c>Digest</c>,
/// <c>KeyId</c>, <c>Error</c>.</summary>
internal static class AttestationMapping
{
    public static void Columns<TOwner>(this EntityTypeBuilder<TOwner> owner, System.Linq.Expressions.Expression<Func<TOwner, Attestation?>> attestation, string prefix)
        where TOwner : class =>
        owner.ComplexProperty(attestation, a =>
        {
            a.Property(x => x.State).HasColumnName(prefix + "State");
            a.Property(x => x.Digest).HasColumnName(prefix + "Digest");
            a.Property(x => x.KeyId).HasColumnName(prefix + "KeyId");
            a.Property(x => x.Error).HasColumnName(prefix + "Error");
        });
}
