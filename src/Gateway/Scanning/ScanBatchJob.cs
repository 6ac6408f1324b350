using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Webhooks;

namespace VendorGate.Gateway.Scanning;

/// <summary>Runs every scanner on a received batch (the example scanners over its content, then the batch scanners),
/// stores their findings and artifacts and moves it to <c>quarantined</c> (any blocking finding) or <c>in-review</c>,
/// in one transaction; scanners themselves write nothing. Idempotent: a retry starts the scan over,
/// and a batch that has moved on is left alone. A failure leaves the batch in <c>scanning</c> for the retry.</summary>
public sealed class ScanBatchJob(
    VendorGateDb db, IBlobStore blobs, ExampleIndex exampleIndex, IEnumerable<IExampleScanner> exampleScanners,
    IEnumerable<IBatchScanner> scanners, AuditLog audit, IOptions<ScanOptions> options, ILogger<ScanBatchJob> logger, TimeProvider time)
{
    public const string Actor = "system:scanner";

    [DisableConcurrentExecution("scan-batch:{0}", 600)] // a duplicate delivery waits, then finds the batch done
    public async Task RunAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var batch = await db.Batches.FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch is null || batch.Status is not (BatchStatus.Received or BatchStatus.Scanning))
        {
            return; // scanned already (a duplicate delivery), or moved on (revoked)
        }
        if (BatchLifecycle.StartScan.Allows(batch.Status))
        {
            batch.Apply(BatchLifecycle.StartScan);
            await audit.RecordAsync(Actor, "batch.scan", $"batch:{batchId}", null, cancellationToken);
        }

        var digests = await ReadDigestsAsync(batch, cancellationToken);
        await exampleIndex.ReplaceAsync(batchId, digests, cancellationToken);
        var context = new BatchScanContext(batch, digests, new ScanReads(db), blobs, time.Now());
        // Progress goes straight to the row (not through the tracked entity): a restart starts again from zero.
        await ContentScan.RunAsync(context, exampleScanners.ToList(), ct => blobs.OpenReadAsync(batch.ContentBlob!, cancellationToken: ct), (scanned, ct) =>
            db.Batches.Where(b => b.Id == batchId).ExecuteUpdateAsync(u => u.SetProperty(b => b.ScannedExamples, scanned), ct), cancellationToken);
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
        await context.Artifacts.ReplaceRowsAsync(db, batchId, cancellationToken);
        await db.Findings.Where(f => f.BatchId == batchId).ExecuteDeleteAsync(cancellationToken);
        db.Findings.AddRange(findings.Select(f => new Finding
        {
            BatchId = batchId, Code = f.Code, Severity = f.Severity, Message = f.Message, Lines = string.Join(' ', f.Lines),
            Evidence = f.Evidence is { Count: > 0 } evidence ? JsonSerializer.Serialize(evidence) : null,
        }));
        var blocked = findings.Any(f => f.Severity == Severity.Block);
        batch.Apply(blocked ? BatchLifecycle.Quarantine : BatchLifecycle.ToReview);
        batch.ScannedAt = time.Now();
        batch.ScannedExamples = batch.Count;
        WebhookEvents.Publish(db, WebhookEvents.BatchScanned, batch.VendorId, new
        {
            batchId, batch.VendorId, batch.Status, batch.Count, findings = findings.Select(f => new { f.Code, f.Severity, lines = f.Lines.Count }),
        }, batch.ScannedAt.Value);
        await audit.RecordAsync(Actor, blocked ? "batch.quarantine" : "batch.to-review", $"batch:{batchId}",
            new { findings = findings.Select(f => new { f.Code, f.Severity }) }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        logger.LogInformation("Scanned batch {BatchId}: {Count} finding(s), now {Status}", batchId, findings.Count, batch.Status);
    }

    private async Task<byte[]> ReadDigestsAsync(Batch batch, CancellationToken cancellationToken)
    {
        var count = checked((int)batch.Count!.Value);
        var digests = new byte[count * BatchDigest.Size];
        var record = new byte[QuarantineIndex.RecordSize];
        await using var index = new BufferedStream(await blobs.OpenReadAsync(batch.IndexBlob!, cancellationToken: cancellationToken), 1 << 20);
        for (var i = 0; i < count; i++)
        {
            await index.ReadExactlyAsync(record, cancellationToken);
            QuarantineIndex.Digest(record.AsSpan()).CopyTo(digests.AsSpan(i * BatchDigest.Size));
        }
        return digests;
    }
}
