using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Batches;

// How this feature's entities are stored (tables, keys, indexes); VendorGateDb applies every configuration in the assembly.
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

internal sealed class FindingConfiguration : IEntityTypeConfiguration<Finding>
{
    public void Configure(EntityTypeBuilder<Finding> e) => e.ToTable("findings");
}

internal sealed class ExampleOccurrenceConfiguration : IEntityTypeConfiguration<ExampleOccurrence>
{
    public void Configure(EntityTypeBuilder<ExampleOccurrence> e)
    {
        e.ToTable("example_occurrences");
        e.HasKey(o => new { o.BatchId, o.Line });
        e.HasIndex(o => o.Digest);
    }
}
