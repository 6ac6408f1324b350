using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VendorGate.Gateway.Vendors;

// How this feature's entities are stored (tables, keys, indexes); VendorGateDb applies every configuration in the assembly.
internal sealed class VendorConfiguration : IEntityTypeConfiguration<Vendor>
{
    public void Configure(EntityTypeBuilder<Vendor> e)
    {
        e.ToTable("vendors");
        e.HasIndex(v => v.Name).IsUnique();
    }
}

internal sealed class VendorSigningKeyConfiguration : IEntityTypeConfiguration<VendorSigningKey>
{
    public void Configure(EntityTypeBuilder<VendorSigningKey> e)
    {
        e.ToTable("vendor_signing_keys");
        e.HasKey(k => k.Kid);
        e.HasIndex(k => k.VendorId);
    }
}
