using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

// What this feature's entities need beyond their attributes ([Table], [Index], [PrimaryKey]): relations, owned columns,
// value generation. VendorGateDb applies every configuration in the assembly.
internal sealed class TriggerCandidateConfiguration : IEntityTypeConfiguration<TriggerCandidate>
{
    public void Configure(EntityTypeBuilder<TriggerCandidate> e)
    {
        e.ToTable("trigger_candidates");
        e.HasKey(c => new { c.BatchId, c.Kind, c.Ngram });
        e.HasIndex(c => new { c.VendorId, c.Ngram });
        e.HasIndex(c => new { c.AnnotatorId, c.Ngram });
        e.Property(c => c.Ngram).HasMaxLength(200);
    }
}

