using Hangfire;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Batches;

/// <summary>Makes sure every received batch gets scanned and its receipt signed even if the process stopped between
/// recording the upload and enqueueing the jobs (or, with in-memory jobs, lost its queue on restart). The minute sweep
/// leaves alone a scan or a receipt whose job is still in the job storage (enqueued, running, or waiting for a retry): a
/// long queue or a long scan is not a lost job, and every batch behind a one-minute scan was enqueued again each minute
/// before.</summary>
public sealed class StalledJobs(VendorGateDb db, IBackgroundJobClient jobs, JobStorage storage, ILogger<StalledJobs> logger, TimeProvider time)
{
    public const string RecurringJobId = "requeue-stalled-jobs";
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    /// <summary>Enqueues a scan for each batch received longer ago than <paramref name="olderThan"/>, and the receipt
    /// job for each pending receipt never attempted; with <paramref name="includeScanning"/> (start-up) also each
    /// scan that was under way and each pending receipt, attempted or not.</summary>
    public async Task<int> RequeueAsync(TimeSpan olderThan, bool includeScanning, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - olderThan;
        var receipts = (await db.Batches.AsNoTracking()
            .Where(b => b.Receipt.State == AttestationStates.Pending && (includeScanning || b.Receipt.Error == null))
            .Select(b => new { b.Id, b.ReceivedAt }).ToListAsync(cancellationToken))
            .Where(b => b.ReceivedAt <= cutoff).ToList();
        // Few batches wait at any time; the age is compared here because SQLite cannot order DateTimeOffset.
        var stalled = (await db.Batches.AsNoTracking()
            .Where(b => b.Status == BatchStatus.Received || includeScanning && b.Status == BatchStatus.Scanning)
            .Select(b => new { b.Id, b.ReceivedAt }).ToListAsync(cancellationToken))
            .Where(b => b.ReceivedAt <= cutoff).ToList();
        // Those whose job is still in the storage are not lost (read only when there are any). Start-up enqueues them
        // all again: a job a stopped process was running would otherwise wait for its timeout.
        if (!includeScanning && stalled.Count + receipts.Count > 0)
        {
            var queued = QueuedJobs();
            var scanning = queued.Where(j => j.Type == typeof(ScanBatchJob) && j.Args is [Guid, ..]).Select(j => (Guid)j.Args[0]).ToHashSet();
            var attesting = queued.Where(j => j.Type == typeof(AttestJob) && j.Args is [ReceiptAttestation.Kind, string, ..]).Select(j => (string)j.Args[1]).ToHashSet();
            stalled.RemoveAll(b => scanning.Contains(b.Id));
            receipts.RemoveAll(b => attesting.Contains(b.Id.ToString()));
        }
        foreach (var batch in receipts)
        {
            AttestJob.Enqueue(jobs, ReceiptAttestation.Kind, batch.Id.ToString());
        }
        if (includeScanning)
        {
            var approvals = await db.Batches.AsNoTracking().Where(b => b.Approval.State == AttestationStates.Pending).Select(b => b.Id).ToListAsync(cancellationToken);
            foreach (var id in approvals)
            {
                AttestJob.Enqueue(jobs, Reviews.ApprovalAttestation.Kind, id.ToString());
            }
            var snapshots = await db.Set<Snapshots.Snapshot>().AsNoTracking()
                .Where(s => s.Attestation.State == AttestationStates.Pending).Select(s => s.Version).ToListAsync(cancellationToken);
            foreach (var version in snapshots)
            {
                AttestJob.Enqueue(jobs, Snapshots.SnapshotAttestation.Kind, version);
            }
            var revocations = await db.Set<Revocations.Revocation>().AsNoTracking()
                .Where(r => r.Status == Revocations.RevocationStatus.Pending).Select(r => r.Id).ToListAsync(cancellationToken);
            foreach (var id in revocations)
            {
                jobs.Enqueue<Revocations.RevocationJob>(job => job.RunAsync(id, CancellationToken.None));
            }
            var exports = await db.Exports.AsNoTracking().Where(e => e.Status != Exports.ExportStatus.Completed)
                .Select(e => new { e.Id, e.Status }).ToListAsync(cancellationToken);
            foreach (var export in exports)
            {
                if (export.Status == Exports.ExportStatus.Writing)
                {
                    Exports.ExportJob.Enqueue(jobs, export.Id);
                }
                else
                {
                    AttestJob.Enqueue(jobs, Exports.ExportAttestation.Kind, export.Id.ToString());
                }
            }
        }

        foreach (var batch in stalled)
        {
            jobs.Enqueue<ScanBatchJob>(job => job.RunAsync(batch.Id, CancellationToken.None));
        }
        if (stalled.Count + receipts.Count > 0)
        {
            logger.LogWarning("Re-enqueued {Scans} stalled scan(s) and {Receipts} pending receipt(s)", stalled.Count, receipts.Count);
        }
        return stalled.Count + receipts.Count;
    }

    /// <summary>The jobs enqueued on any queue, running, or scheduled (a retry), from the job storage.</summary>
    private List<Hangfire.Common.Job> QueuedJobs()
    {
        const int Page = 1_000;
        var monitor = storage.GetMonitoringApi();
        var jobs = new List<Hangfire.Common.Job?>();
        foreach (var queue in monitor.Queues())
        {
            for (var from = 0; monitor.EnqueuedJobs(queue.Name, from, Page) is { Count: > 0 } page; from += Page)
            {
                // A job deleted or moved on while in the queue stays listed there until a worker takes it (by its state's
                // name: Hangfire.PostgreSql says InEnqueuedState of a deleted one).
                jobs.AddRange(page.Where(j => j.Value?.State == Hangfire.States.EnqueuedState.StateName).Select(j => j.Value.Job));
            }
        }
        for (var from = 0; monitor.ProcessingJobs(from, Page) is { Count: > 0 } page; from += Page)
        {
            jobs.AddRange(page.Where(j => j.Value?.InProcessingState == true).Select(j => j.Value.Job));
        }
        for (var from = 0; monitor.ScheduledJobs(from, Page) is { Count: > 0 } page; from += Page)
        {
            jobs.AddRange(page.Where(j => j.Value?.InScheduledState == true).Select(j => j.Value.Job));
        }
        return [.. jobs.OfType<Hangfire.Common.Job>()];
    }

    /// <summary>The recurring sweep.</summary>
    public Task SweepAsync() => RequeueAsync(Grace, includeScanning: false, CancellationToken.None);

    /// <summary>At start-up: resume everything left waiting, and sweep every minute from now on.</summary>
    public static async Task ScheduleAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StalledJobs>().RequeueAsync(TimeSpan.Zero, includeScanning: true, CancellationToken.None);
        services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<StalledJobs>(RecurringJobId, sweep => sweep.SweepAsync(), Cron.Minutely());
    }
}
