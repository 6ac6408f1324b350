using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VendorGate.Gateway.Eval;

// How this feature's entities are stored (tables, keys, indexes); VendorGateDb applies every configuration in the assembly.
internal sealed class EvalCoverageConfiguration : IEntityTypeConfiguration<EvalCoverage>
{
    public void Configure(EntityTypeBuilder<EvalCoverage> e)
    {
        e.ToTable("eval_coverage");
        e.HasKey(c => c.Domain);
    }
}

internal sealed class CanaryProbeConfiguration : IEntityTypeConfiguration<CanaryProbe>
{
    public void Configure(EntityTypeBuilder<CanaryProbe> e) => e.ToTable("canary_probes");
}

internal sealed class CanaryResultConfiguration : IEntityTypeConfiguration<CanaryResult>
{
    public void Configure(EntityTypeBuilder<CanaryResult> e)
    {
        e.ToTable("canary_results");
        e.HasKey(r => new { r.ModelName, r.ProbeId });
    }
}

internal sealed class ModelGateConfiguration : IEntityTypeConfiguration<ModelGate>
{
    public void Configure(EntityTypeBuilder<ModelGate> e)
    {
        e.ToTable("model_gates");
        e.HasIndex(g => new { g.ModelName, g.StatementDigest }).IsUnique();
    }
}
