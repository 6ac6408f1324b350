using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Revocations;

// What this feature's entities need beyond their attributes ([Table], [Index], [PrimaryKey]): relations, owned columns,
// value generation. VendorGateDb applies every configuration in the assembly.
internal sealed class RevocationConfiguration : IEntityTypeConfiguration<Revocation>
{
    public void Configure(EntityTypeBuilder<Revocation> e) => e.Columns(r => r.Attestation, "Attestation");
}
