using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VendorGate.Gateway.Batches.Scanning;

// How this feature's entities are stored (tables, keys, indexes); VendorGateDb applies every configuration in the assembly.
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

internal sealed class KnownBadSignatureConfiguration : IEntityTypeConfiguration<KnownBadSignature>
{
    public void Configure(EntityTypeBuilder<KnownBadSignature> e) => e.ToTable("known_bad_signatures");
}

internal sealed class BatchProfileConfiguration : IEntityTypeConfiguration<BatchProfile>
{
    public void Configure(EntityTypeBuilder<BatchProfile> e)
    {
        e.ToTable("batch_profiles");
        e.HasKey(p => p.BatchId);
        e.HasIndex(p => new { p.VendorId, p.AnnotatorId });
    }
}
