using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VendorGate.Gateway.Reviews;

// How this feature's entities are stored (tables, keys, indexes); VendorGateDb applies every configuration in the assembly.
internal sealed class ReviewConfiguration : IEntityTypeConfiguration<Review>
{
    public void Configure(EntityTypeBuilder<Review> e) => e.ToTable("reviews");
}

internal sealed class FindingOverrideConfiguration : IEntityTypeConfiguration<FindingOverride>
{
    public void Configure(EntityTypeBuilder<FindingOverride> e) => e.ToTable("finding_overrides");
}
