using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Webhooks;

namespace VendorGate.Gateway.Scanning;

/// <summary>The end of every scan, whole or sharded: once the example scanners have read the batch (and concluded), runs
/// the batch scanners, stores the findings and artifacts and moves the batch to <c>quarantined</c> (any blocking finding)
/// or <c>in-review</c>, in one transaction.</summary>
public sealed class ScanResults(VendorGateDb db, IBlobStore blobs, IEnumerable<IBatchScanner> scanners, AuditLog audit, IOptions<ScanOptions> options,
    ILogger<ScanResults> logger, TimeProvider time)
{
    public const string Actor = "system:scanner";

    /// <summary>Stores the scan of <paramref name="batch"/> (tracked by this scope's database context) that
    /// <paramref name="context"/> holds.</summary>
    public async Task StoreAsync(Batch batch, BatchScanContext context, CancellationToken cancellationToken)
    {
        // Batch scanners first: they may annotate the example scanners' findings (trigger discovery names the trigger
        // in the gibberish finding).
        var findings = new List<ScanFinding>();
        foreach (var scanner in scanners)
        {
            findings.AddRange(await scanner.ScanAsync(context, cancellationToken));
        }
        findings.InsertRange(0, context.Hits.ToFindings());
        findings = findings.Select(f => options.Value.Severity.TryGetValue(f.Code, out var s) ? f with { Severity = s } : f).ToList();

        await context.Artifacts.WriteBlobsAsync(blobs, cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await context.Artifacts.ReplaceRowsAsync(db, batch.Id, cancellationToken);
        await db.Findings.Where(f => f.BatchId == batch.Id).ExecuteDeleteAsync(cancellationToken);
        db.Findings.AddRange(findings.Select(f => new Finding
        {
            BatchId = batch.Id, Code = f.Code, Severity = f.Severity, Message = f.Message, Lines = string.Join(' ', f.Lines),
            Evidence = f.Evidence is { Count: > 0 } evidence ? JsonSerializer.Serialize(evidence) : null,
        }));
        var blocked = findings.Any(f => f.Severity == Severity.Block);
        batch.Apply(blocked ? BatchLifecycle.Quarantine : BatchLifecycle.ToReview);
        batch.ScannedAt = time.Now();
        batch.ScannedExamples = batch.Count;
        WebhookEvents.Publish(db, WebhookEvents.BatchScanned, batch.VendorId, new
        {
            batchId = batch.Id, batch.VendorId, batch.Status, batch.Count, findings = findings.Select(f => new { f.Code, f.Severity, lines = f.Lines.Count }),
        }, batch.ScannedAt.Value);
        await audit.RecordAsync(Actor, blocked ? "batch.quarantine" : "batch.to-review", $"batch:{batch.Id}",
            new { findings = findings.Select(f => new { f.Code, f.Severity }) }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        logger.LogInformation("Scanned batch {BatchId}: {Count} finding(s), now {Status}", batch.Id, findings.Count, batch.Status);
    }
}
