using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Vendors;

namespace VendorGate.Gateway.Storage;

/// <summary>The metadata store. One model, two providers: <see cref="SqliteVendorGateDb"/> (embedded default)
/// and <see cref="PostgresVendorGateDb"/>, each with its own migrations.</summary>
public abstract class VendorGateDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<Vendor> Vendors => Set<Vendor>();
    public DbSet<Principal> Principals => Set<Principal>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<Batch> Batches => Set<Batch>();
    public DbSet<Finding> Findings => Set<Finding>();
    public DbSet<Reviews.Review> Reviews => Set<Reviews.Review>();
    public DbSet<ExampleOccurrence> ExampleOccurrences => Set<ExampleOccurrence>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<VendorSigningKey> VendorSigningKeys => Set<VendorSigningKey>();
    public DbSet<Batches.Scanning.TriggerCandidate> TriggerCandidates => Set<Batches.Scanning.TriggerCandidate>();
    public DbSet<Batches.Scanning.KnownBadSignature> KnownBadSignatures => Set<Batches.Scanning.KnownBadSignature>();
    public DbSet<Batches.Scanning.BatchProfile> BatchProfiles => Set<Batches.Scanning.BatchProfile>();
    public DbSet<Eval.EvalCoverage> EvalCoverage => Set<Eval.EvalCoverage>();
    public DbSet<Eval.CanaryProbe> CanaryProbes => Set<Eval.CanaryProbe>();
    public DbSet<Eval.CanaryResult> CanaryResults => Set<Eval.CanaryResult>();
    public DbSet<Eval.ModelGate> ModelGates => Set<Eval.ModelGate>();
    public DbSet<Compliance.VendorEvidence> VendorEvidence => Set<Compliance.VendorEvidence>();
    public DbSet<Compliance.RevocationAcknowledgement> RevocationAcknowledgements => Set<Compliance.RevocationAcknowledgement>();
    public DbSet<Compliance.ComplianceRecord> ComplianceHistory => Set<Compliance.ComplianceRecord>();
    public DbSet<Compliance.ComplianceException> ComplianceExceptions => Set<Compliance.ComplianceException>();
    public DbSet<Compliance.RevocationReview> RevocationReviews => Set<Compliance.RevocationReview>();

    public abstract bool IsPostgres { get; }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Vendor>(e =>
        {
            e.ToTable("vendors");
            e.HasIndex(v => v.Name).IsUnique();
        });
        model.Entity<Principal>(e =>
        {
            e.ToTable("principals");
            e.HasIndex(p => new { p.VendorId, p.Handle }).IsUnique();
            e.HasIndex(p => new { p.OidcIssuer, p.OidcSubject }).IsUnique(); // one person at a provider is one principal
            e.Ignore(p => p.RoleList);
        });
        model.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.HasIndex(k => k.PrincipalId);
            e.HasOne(k => k.Principal).WithMany().HasForeignKey(k => k.PrincipalId);
        });
        model.Entity<Invitation>(e =>
        {
            e.ToTable("invitations");
            e.HasIndex(i => i.PrincipalId);
        });
        model.Entity<Batch>(e =>
        {
            e.ToTable("batches");
            e.HasIndex(b => new { b.SubmitterId, b.IdempotencyKey }).IsUnique();
            e.HasIndex(b => new { b.VendorId, b.Status });
            e.HasIndex(b => b.Status);
            e.HasMany(b => b.Findings).WithOne().HasForeignKey(f => f.BatchId);
            e.HasMany(b => b.Reviews).WithOne().HasForeignKey(r => r.BatchId);
            e.HasMany(b => b.Overrides).WithOne().HasForeignKey(o => o.BatchId);
        });
        model.Entity<Finding>(e => e.ToTable("findings"));
        model.Entity<Reviews.Review>(e => e.ToTable("reviews"));
        model.Entity<Reviews.FindingOverride>(e => e.ToTable("finding_overrides"));
        model.Entity<ExampleOccurrence>(e =>
        {
            e.ToTable("example_occurrences");
            e.HasKey(o => new { o.BatchId, o.Line });
            e.HasIndex(o => o.Digest);
        });
        model.Entity<SigningKey>(e =>
        {
            e.ToTable("signing_keys");
            e.HasKey(k => k.Kid);
        });
        model.Entity<VendorSigningKey>(e =>
        {
            e.ToTable("vendor_signing_keys");
            e.HasKey(k => k.Kid);
            e.HasIndex(k => k.VendorId);
        });
        model.Entity<Snapshots.Snapshot>(e =>
        {
            e.ToTable("snapshots");
            e.HasKey(s => s.Version);
            e.HasIndex(s => new { s.Major, s.Minor }).IsUnique();
        });
        model.Entity<Snapshots.SnapshotBatch>(e =>
        {
            e.ToTable("snapshot_batches");
            e.HasKey(s => new { s.Version, s.BatchId });
            e.HasIndex(s => s.BatchId);
        });
        model.Entity<Snapshots.Model>(e =>
        {
            e.ToTable("models");
            e.HasKey(m => m.Name);
        });
        model.Entity<Revocations.Revocation>(e =>
        {
            e.ToTable("revocations");
            e.HasIndex(r => r.AnnotatorId);
            e.HasIndex(r => r.BatchId);
        });
        model.Entity<Batches.Scanning.TriggerCandidate>(e =>
        {
            e.ToTable("trigger_candidates");
            e.HasKey(c => new { c.BatchId, c.Kind, c.Ngram });
            e.HasIndex(c => new { c.VendorId, c.Ngram });
            e.HasIndex(c => new { c.AnnotatorId, c.Ngram });
            e.Property(c => c.Ngram).HasMaxLength(200);
        });
        model.Entity<Batches.Scanning.KnownBadSignature>(e => e.ToTable("known_bad_signatures"));
        model.Entity<Batches.Scanning.BatchProfile>(e =>
        {
            e.ToTable("batch_profiles");
            e.HasKey(p => p.BatchId);
            e.HasIndex(p => new { p.VendorId, p.AnnotatorId });
        });
        model.Entity<Eval.EvalCoverage>(e =>
        {
            e.ToTable("eval_coverage");
            e.HasKey(c => c.Domain);
        });
        model.Entity<Eval.CanaryProbe>(e => e.ToTable("canary_probes"));
        model.Entity<Eval.CanaryResult>(e =>
        {
            e.ToTable("canary_results");
            e.HasKey(r => new { r.ModelName, r.ProbeId });
        });
        model.Entity<Eval.ModelGate>(e =>
        {
            e.ToTable("model_gates");
            e.HasIndex(g => new { g.ModelName, g.StatementDigest }).IsUnique();
        });
        model.Entity<Compliance.VendorEvidence>(e =>
        {
            e.ToTable("vendor_evidence");
            e.HasIndex(v => v.VendorId);
        });
        model.Entity<Compliance.ComplianceRecord>(e =>
        {
            e.ToTable("compliance_history");
            e.HasKey(r => new { r.VendorId, r.Day });
        });
        model.Entity<Compliance.RevocationAcknowledgement>(e =>
        {
            e.ToTable("revocation_acknowledgements");
            e.HasIndex(a => a.VendorId);
        });
        model.Entity<Compliance.ComplianceException>(e =>
        {
            e.ToTable("compliance_exceptions");
            e.HasIndex(x => x.VendorId);
        });
        model.Entity<Compliance.RevocationReview>(e =>
        {
            e.ToTable("revocation_reviews");
            e.HasIndex(r => r.VendorId);
        });
        model.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_log");
            e.HasKey(a => a.Seq);
            e.Property(a => a.Seq).ValueGeneratedNever();
        });
    }
}

public sealed class SqliteVendorGateDb(DbContextOptions<SqliteVendorGateDb> options) : VendorGateDb(options)
{
    public override bool IsPostgres => false;
}

public sealed class PostgresVendorGateDb(DbContextOptions<PostgresVendorGateDb> options) : VendorGateDb(options)
{
    public override bool IsPostgres => true;
}
