using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VendorGate.Gateway.Identity;

// What this feature's entities need beyond their attributes ([Table], [Index], [PrimaryKey]): relations, owned columns,
// value generation. VendorGateDb applies every configuration in the assembly.
internal sealed class PrincipalConfiguration : IEntityTypeConfiguration<Principal>
{
    public void Configure(EntityTypeBuilder<Principal> e)
    {
        e.ToTable("principals");
        e.HasIndex(p => new { p.VendorId, p.Handle }).IsUnique();
        e.HasIndex(p => new { p.OidcIssuer, p.OidcSubject }).IsUnique(); // one person at a provider is one principal
        e.Property(p => p.Roles).HasConversion(
            roles => string.Join(' ', roles), column => column.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            new ValueComparer<IReadOnlyList<string>>((a, b) => a!.SequenceEqual(b!), roles => string.Join(' ', roles).GetHashCode(), roles => roles.ToArray()));
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> e)
    {
        e.ToTable("api_keys");
        e.HasIndex(k => k.PrincipalId);
        e.HasOne(k => k.Principal).WithMany().HasForeignKey(k => k.PrincipalId);
    }
}

