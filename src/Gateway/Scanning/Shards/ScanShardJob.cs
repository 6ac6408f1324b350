using Hangfire;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Scanning;

/// <summary>One pass of a sharded scan over one shard (<see cref="ScanShards"/>): prepares fresh scanners, adds the
/// merged state of the passes before, reads the shard's lines, writes its state blob and asks for the pass's merge
/// (which waits for the last shard).</summary>
public sealed class ScanShardJob(VendorGateDb db, IBlobStore blobs, IEnumerable<IExampleScanner> scanners, IBackgroundJobClient jobs, TimeProvider time)
{
    public static void EnqueuePass(IBackgroundJobClient jobs, Guid batchId, Guid scanId, int pass, int shards)
    {
        for (var shard = 0; shard < shards; shard++)
        {
            var one = shard;
            jobs.Enqueue<ScanShardJob>(job => job.RunAsync(batchId, scanId, pass, one, shards, CancellationToken.None));
        }
    }

    [ScanMemory.Release]
    public async Task RunAsync(Guid batchId, Guid scanId, int pass, int shard, int shards, CancellationToken cancellationToken)
    {
        var batch = await db.Batches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch?.Status != BatchStatus.Scanning)
        {
            return; // scanned already (by this scan or a later one), or moved on
        }
        var state = ScanShards.StateBlob(batchId, scanId, pass, shard);
        if (!await blobs.ExistsAsync(state, cancellationToken))
        {
            var (context, prepared) = await ScanShards.OpenAsync(db, blobs, scanners, batch, scanId, pass - 1, learnsReference: pass > 1, withHits: false,
                time.Now(), cancellationToken);
            var (firstLine, offset, length) = await ScanShards.RangeAsync(blobs, batch, shard, shards, cancellationToken);
            // Progress: examples scanned in the passes that read every example (the final pass reads few).
            var passes = ContentScan.For(2, prepared).Count > 0 ? 2 : 1;
            await ContentScan.PassAsync(context, prepared, pass, ct => blobs.OpenReadAsync(batch.ContentBlob!, offset, length, ct), firstLine,
                (scanned, ct) => pass > passes ? Task.CompletedTask : db.Batches.Where(b => b.Id == batchId)
                    .ExecuteUpdateAsync(u => u.SetProperty(b => b.ScannedExamples, b => b.ScannedExamples + scanned / passes), ct), cancellationToken);
            await ScanShards.WriteAsync(blobs, state, pass, prepared, context.Hits, cancellationToken);
        }
        jobs.Enqueue<ScanMergeJob>(job => job.RunAsync(batchId, scanId, pass, shards, CancellationToken.None));
    }
}

/// <summary>The merge of one pass of a sharded scan, once every shard has written its state: either the merged state
/// for the next pass's shards, or (after the last pass) the scanners' conclusions and the findings, stored by
/// <see cref="ScanResults"/>. Asked for by every shard; only the one that finds them all does the work.</summary>
public sealed class ScanMergeJob(VendorGateDb db, IBlobStore blobs, IEnumerable<IExampleScanner> scanners, ExampleIndex exampleIndex, ScanResults results,
    IBackgroundJobClient jobs, ILogger<ScanMergeJob> logger, TimeProvider time)
{
    [DisableConcurrentExecution("scan-merge:{0}", 600)] // the last two shards ask at once: one merges, the other finds it done
    [ScanMemory.Release]
    public async Task RunAsync(Guid batchId, Guid scanId, int pass, int shards, CancellationToken cancellationToken)
    {
        var batch = await db.Batches.FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch?.Status != BatchStatus.Scanning)
        {
            return;
        }
        for (var shard = 0; shard < shards; shard++)
        {
            if (!await blobs.ExistsAsync(ScanShards.StateBlob(batchId, scanId, pass, shard), cancellationToken))
            {
                return; // that shard asks again when it is done
            }
        }
        if (await blobs.ExistsAsync(ScanShards.MergedBlob(batchId, scanId, pass), cancellationToken))
        {
            // Merged already: by a duplicate of this job (the next pass is under way), or before a crash that may have
            // come before the next pass was enqueued.
            await StartNextPassAsync(batchId, scanId, pass, shards, cancellationToken);
            return;
        }
        var (context, prepared) = await ScanShards.OpenAsync(db, blobs, scanners, batch, scanId, pass - 1, learnsReference: true, withHits: true,
            time.Now(), cancellationToken);
        for (var shard = 0; shard < shards; shard++)
        {
            await ScanShards.MergeAsync(blobs, ScanShards.StateBlob(batchId, scanId, pass, shard), pass, prepared, context.Hits, cancellationToken);
        }
        if (pass < 3 && ContentScan.For(pass + 1, prepared).Count > 0)
        {
            await ScanShards.WriteAsync(blobs, ScanShards.MergedBlob(batchId, scanId, pass), pass, prepared, context.Hits, cancellationToken);
            await StartNextPassAsync(batchId, scanId, pass, shards, cancellationToken);
            logger.LogInformation("Batch {BatchId}: pass {Pass} of {Shards} shards merged", batchId, pass, shards);
            return;
        }
        ContentScan.Conclude(context, prepared);
        ScanMemory.ReleasePasses(prepared);
        // The example index is written here, not before the shards: they start at once, and a retry of this job writes it again.
        context.Digests = await BatchScanContext.ReadDigestsAsync(blobs, batch, cancellationToken);
        await exampleIndex.ReplaceAsync(batchId, context.Digests, cancellationToken);
        await results.StoreAsync(batch, context, cancellationToken);
        foreach (var name in ScanShards.Blobs(batchId, scanId, pass, shards))
        {
            await blobs.DeleteIfExistsAsync(name, cancellationToken);
        }
    }

    /// <summary>Enqueues the next pass's shards once: a marker blob, written after, tells a later merge of this pass that
    /// it is done (a crash in between enqueues them twice, and the shards' second runs find their work done).</summary>
    private async Task StartNextPassAsync(Guid batchId, Guid scanId, int pass, int shards, CancellationToken cancellationToken)
    {
        var started = ScanShards.NextPassStartedBlob(batchId, scanId, pass);
        if (!await blobs.ExistsAsync(started, cancellationToken))
        {
            ScanShardJob.EnqueuePass(jobs, batchId, scanId, pass + 1, shards);
            await blobs.WriteOnceAsync(started, Array.Empty<byte>(), cancellationToken);
        }
    }
}
