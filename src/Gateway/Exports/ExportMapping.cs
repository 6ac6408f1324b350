using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Exports;

// What this feature's entities need beyond their attributes; VendorGateDb applies every configuration in the assembly.
internal sealed class SnapshotExportConfiguration : IEntityTypeConfiguration<SnapshotExport>
{
    public void Configure(EntityTypeBuilder<SnapshotExport> e) => e.Columns(x => x.Attestation, "Attestation");
}
