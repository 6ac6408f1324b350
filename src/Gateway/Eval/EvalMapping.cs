using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Eval;

// What this feature's entities need beyond their attributes ([Table], [Index], [PrimaryKey]): relations, owned columns,
// value generation. VendorGateDb applies every configuration in the assembly.
internal sealed class ModelGateConfiguration : IEntityTypeConfiguration<ModelGate>
{
    public void Configure(EntityTypeBuilder<ModelGate> e) => e.Columns(g => g.Attestation, "Attestation");
}
