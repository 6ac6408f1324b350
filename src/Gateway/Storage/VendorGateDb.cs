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
    public DbSet<Batches.Uploads.UploadSession> UploadSessions => Set<Batches.Uploads.UploadSession>();
    public DbSet<Batches.Uploads.UploadBlock> UploadBlocks => Set<Batches.Uploads.UploadBlock>();
    public DbSet<Finding> Findings => Set<Finding>();
    public DbSet<Reviews.Review> Reviews => Set<Reviews.Review>();
    public DbSet<ExampleOccurrence> ExampleOccurrences => Set<ExampleOccurrence>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<VendorSigningKey> VendorSigningKeys => Set<VendorSigningKey>();
    public DbSet<Snapshots.Snapshot> Snapshots => Set<Snapshots.Snapshot>();
    public DbSet<Snapshots.SnapshotBatch> SnapshotBatches => Set<Snapshots.SnapshotBatch>();
    public DbSet<Snapshots.Model> Models => Set<Snapshots.Model>();
    public DbSet<Revocations.Revocation> Revocations => Set<Revocations.Revocation>();
    public DbSet<Exports.SnapshotExport> Exports => Set<Exports.SnapshotExport>();
    public DbSet<Scanning.TriggerCandidate> TriggerCandidates => Set<Scanning.TriggerCandidate>();
    public DbSet<Scanning.KnownBadSignature> KnownBadSignatures => Set<Scanning.KnownBadSignature>();
    public DbSet<Scanning.BatchProfile> BatchProfiles => Set<Scanning.BatchProfile>();
    public DbSet<Eval.EvalCoverage> EvalCoverage => Set<Eval.EvalCoverage>();
    public DbSet<Eval.CanaryProbe> CanaryProbes => Set<Eval.CanaryProbe>();
    public DbSet<Eval.CanaryResult> CanaryResults => Set<Eval.CanaryResult>();
    public DbSet<Eval.ModelGate> ModelGates => Set<Eval.ModelGate>();
    public DbSet<Compliance.VendorEvidence> VendorEvidence => Set<Compliance.VendorEvidence>();
    public DbSet<Compliance.RevocationAcknowledgement> RevocationAcknowledgements => Set<Compliance.RevocationAcknowledgement>();
    public DbSet<Compliance.ComplianceRecord> ComplianceHistory => Set<Compliance.ComplianceRecord>();
    public DbSet<Compliance.ComplianceException> ComplianceExceptions => Set<Compliance.ComplianceException>();
    public DbSet<Compliance.RevocationReview> RevocationReviews => Set<Compliance.RevocationReview>();
    public DbSet<Webhooks.Webhook> Webhooks => Set<Webhooks.Webhook>();
    public DbSet<Webhooks.WebhookEvent> WebhookEvents => Set<Webhooks.WebhookEvent>();
    public DbSet<Webhooks.WebhookDelivery> WebhookDeliveries => Set<Webhooks.WebhookDelivery>();
    public DbSet<Webhooks.WebhookAttempt> WebhookAttempts => Set<Webhooks.WebhookAttempt>();

    public abstract bool IsPostgres { get; }

    /// <summary>Each feature maps its own entities: attributes on the entity, and <c>*Mapping.cs</c> beside it for the rest.</summary>
    protected override void OnModelCreating(ModelBuilder model) => model.ApplyConfigurationsFromAssembly(typeof(VendorGateDb).Assembly);
}

public sealed class SqliteVendorGateDb(DbContextOptions<SqliteVendorGateDb> options) : VendorGateDb(options)
{
    public override bool IsPostgres => false;
}

public sealed class PostgresVendorGateDb(DbContextOptions<PostgresVendorGateDb> options) : VendorGateDb(options)
{
    public override bool IsPostgres => true;
}
