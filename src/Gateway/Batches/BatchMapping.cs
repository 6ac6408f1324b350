using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Batches;

// What this feature's entities need beyond their attributes ([Table], [Index], [PrimaryKey]): relations, owned columns,
// value generation. VendorGateDb applies every configuration in the assembly.
internal sealed class BatchConfiguration : IEntityTypeConfiguration<Batch>
{
    public void Configure(EntityTypeBuilder<Batch> e)
    {
        e.ToTable("batches");
        e.HasIndex(b => new { b.SubmitterId, b.IdempotencyKey }).IsUnique();
        e.HasIndex(b => new { b.VendorId, b.Status });
        e.HasIndex(b => b.Status);
        e.HasMany(b => b.Findings).WithOne().HasForeignKey(f => f.BatchId);
        e.HasMany(b => b.Reviews).WithOne().HasForeignKey(r => r.BatchId);
        e.HasMany(b => b.Overrides).WithOne().HasForeignKey(o => o.BatchId);
        e.Columns(b => b.Receipt, "Attestation");
        e.Columns(b => b.Approval, "Approval");
    }
}

