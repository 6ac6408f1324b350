using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Snapshots;

// What this feature's entities need beyond their attributes ([Table], [Index], [PrimaryKey]): relations, owned columns,
// value generation. VendorGateDb applies every configuration in the assembly.
internal sealed class SnapshotConfiguration : IEntityTypeConfiguration<Snapshot>
{
    public void Configure(EntityTypeBuilder<Snapshot> e)
    {
        e.ToTable("snapshots");
        e.HasKey(s => s.Version);
        e.HasIndex(s => new { s.Major, s.Minor }).IsUnique();
        e.Columns(s => s.Attestation, "Attestation");
    }
}

