using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VendorGate.Gateway.Compliance;

// How this feature's entities are stored (tables, keys, indexes); VendorGateDb applies every configuration in the assembly.
internal sealed class VendorEvidenceConfiguration : IEntityTypeConfiguration<VendorEvidence>
{
    public void Configure(EntityTypeBuilder<VendorEvidence> e)
    {
        e.ToTable("vendor_evidence");
        e.HasIndex(v => v.VendorId);
    }
}

internal sealed class ComplianceRecordConfiguration : IEntityTypeConfiguration<ComplianceRecord>
{
    public void Configure(EntityTypeBuilder<ComplianceRecord> e)
    {
        e.ToTable("compliance_history");
        e.HasKey(r => new { r.VendorId, r.Day });
    }
}

internal sealed class RevocationAcknowledgementConfiguration : IEntityTypeConfiguration<RevocationAcknowledgement>
{
    public void Configure(EntityTypeBuilder<RevocationAcknowledgement> e)
    {
        e.ToTable("revocation_acknowledgements");
        e.HasIndex(a => a.VendorId);
    }
}

internal sealed class ComplianceExceptionConfiguration : IEntityTypeConfiguration<ComplianceException>
{
    public void Configure(EntityTypeBuilder<ComplianceException> e)
    {
        e.ToTable("compliance_exceptions");
        e.HasIndex(x => x.VendorId);
    }
}

internal sealed class RevocationReviewConfiguration : IEntityTypeConfiguration<RevocationReview>
{
    public void Configure(EntityTypeBuilder<RevocationReview> e)
    {
        e.ToTable("revocation_reviews");
        e.HasIndex(r => r.VendorId);
    }
}
