using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VendorGate.Gateway.Revocations;

// How this feature's entities are stored (tables, keys, indexes); VendorGateDb applies every configuration in the assembly.
internal sealed class RevocationConfiguration : IEntityTypeConfiguration<Revocation>
{
    public void Configure(EntityTypeBuilder<Revocation> e)
    {
        e.ToTable("revocations");
        e.HasIndex(r => r.AnnotatorId);
        e.HasIndex(r => r.BatchId);
    }
}
