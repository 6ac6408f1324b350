using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Scanning;

/// <summary>Scans a received batch: runs every example scanner over its content, then hands over to
/// <see cref="ScanResults"/>; a batch of more than <see cref="ScanOptions.ShardExamples"/> examples is instead split into
/// shards whose passes run as jobs on any worker process (<see cref="ScanShardJob"/>). Scanners themselves write nothing.
/// Idempotent: a retry starts the scan over, and a batch that has moved on is left alone. A failure leaves the batch in
/// <c>scanning</c> for the retry.</summary>
public sealed class ScanBatchJob(
    VendorGateDb db, IBlobStore blobs, ExampleIndex exampleIndex, IServiceScopeFactory scopes, IEnumerable<IExampleScanner> exampleScanners, ScanResults results,
    IBackgroundJobClient jobs, AuditLog audit, IOptions<ScanOptions> options, ILogger<ScanBatchJob> logger, TimeProvider time)
{
    public const string Actor = ScanResults.Actor;

    [DisableConcurrentExecution("scan-batch:{0}", 600)] // a duplicate delivery waits, then finds the batch done
    [ScanMemory.Release]
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
            batch.ScannedExamples = 0; // saved with the audit entry: a rescan's progress starts again
            await audit.RecordAsync(Actor, "batch.scan", $"batch:{batchId}", null, cancellationToken);
        }

        if (ScanShards.CountFor(batch, options.Value.ShardExamples ?? 0) is var shards and > 1)
        {
            // The shards add their progress to the row: a restart starts again from zero.
            await db.Batches.Where(b => b.Id == batchId).ExecuteUpdateAsync(u => u.SetProperty(b => b.ScannedExamples, 0L), cancellationToken);
            var scanId = Guid.CreateVersion7();
            ScanShardJob.EnqueuePass(jobs, batchId, scanId, 1, shards);
            logger.LogInformation("Scanning batch {BatchId} in {Shards} shards (scan {ScanId})", batchId, shards, scanId);
            return;
        }
        // The example index (a row per example, for the batch scanners and blame: at 1M examples seconds of one core on
        // SQLite) of a large batch is written while the passes run, on a database context of its own, its digests read a
        // piece at a time. A small batch's is written first, on the job's context: written beside its passes, or first
        // but on a context of its own, the 50-vendor load's accept p99 rose from 279–367 ms to 603–874 ms and 713 ms
        // (written as before: 337 ms; the cause not found). The example scanners read no digests: the batch scanners
        // read them again after the passes, so the passes do not hold them (32 MB at 1M examples, with the sketches at
        // their largest).
        var indexing = Task.CompletedTask;
        if (batch.Count >= options.Value.IndexBesidePassesFrom)
        {
            indexing = Task.Run(() => WriteIndexAsync(batch, cancellationToken), cancellationToken);
        }
        else
        {
            await exampleIndex.ReplaceAsync(batchId, await BatchScanContext.ReadDigestsAsync(blobs, batch, cancellationToken), cancellationToken);
        }
        var context = new BatchScanContext(batch, null, new ScanReads(db), blobs, time.Now());
        // Progress goes straight to the row (not through the tracked entity), once the index is written: SQLite has one
        // write lock, which the index holds meanwhile, and the next report sets the count all the same.
        var scanning = ContentScan.RunAsync(context, exampleScanners.ToList(), ct => blobs.OpenReadAsync(batch.ContentBlob!, cancellationToken: ct), (scanned, ct) =>
            indexing.IsCompleted
                ? db.Batches.Where(b => b.Id == batchId).ExecuteUpdateAsync(u => u.SetProperty(b => b.ScannedExamples, scanned), ct)
                : Task.CompletedTask, cancellationToken);
        await Task.WhenAll(indexing, scanning); // both end before a failure of either fails the job
        ScanMemory.ReleasePasses(exampleScanners);
        context.Digests = await BatchScanContext.ReadDigestsAsync(blobs, batch, cancellationToken);
        await results.StoreAsync(batch, context, cancellationToken);
    }

    private async Task WriteIndexAsync(Batch batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ExampleIndex>()
            .ReplaceAsync(batch.Id, BatchScanContext.ReadDigestPiecesAsync(blobs, batch, cancellationToken), cancellationToken);
    }
}
