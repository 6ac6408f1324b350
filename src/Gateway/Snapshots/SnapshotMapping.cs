using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Snapshots;

// How this feature's entities are stored (tables, keys, indexes); VendorGateDb applies every configuration in the assembly.
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

internal sealed class SnapshotBatchConfiguration : IEntityTypeConfiguration<SnapshotBatch>
{
    public void Configure(EntityTypeBuilder<SnapshotBatch> e)
    {
        e.ToTable("snapshot_batches");
        e.HasKey(s => new { s.Version, s.BatchId });
        e.HasIndex(s => s.BatchId);
    }
}

internal sealed class ModelConfiguration : IEntityTypeConfiguration<Model>
{
    public void Configure(EntityTypeBuilder<Model> e)
    {
        e.ToTable("models");
        e.HasKey(m => m.Name);
    }
}
