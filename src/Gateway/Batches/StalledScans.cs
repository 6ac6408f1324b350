using Hangfire;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Batches;

/// <summary>Makes sure every received batch gets scanned even if the process stopped between recording the
/// upload and enqueueing its scan (or, with in-memory jobs, lost its queue on restart).</summary>
public sealed class StalledScans(VendorGateDb db, IBackgroundJobClient jobs, ILogger<StalledScans> logger)
{
    public const string RecurringJobId = "requeue-stalled-scans";
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    /// <summary>Enqueues a scan for each batch received longer ago than <paramref name="olderThan"/>
    /// (and, with <paramref name="includeScanning"/>, each batch whose scan was under way).</summary>
    public async Task<int> RequeueAsync(TimeSpan olderThan, bool includeScanning, CancellationToken cancellationToken)
    {
        // Few batches wait at any time; the age is compared here because SQLite cannot order DateTimeOffset.
        var waiting = await db.Batches.AsNoTracking()
            .Where(b => b.Status == BatchStatus.Received || includeScanning && b.Status == BatchStatus.Scanning)
            .Select(b => new { b.Id, b.ReceivedAt }).ToListAsync(cancellationToken);
        var cutoff = DateTimeOffset.UtcNow - olderThan;
        var stalled = waiting.Where(b => b.ReceivedAt <= cutoff).ToList();
        foreach (var batch in stalled)
        {
            jobs.Enqueue<ScanBatchJob>(job => job.RunAsync(batch.Id, CancellationToken.None));
        }
        if (stalled.Count > 0)
        {
            logger.LogWarning("Re-enqueued the scan of {Count} stalled batch(es)", stalled.Count);
        }
        return stalled.Count;
    }

    /// <summary>The recurring sweep.</summary>
    public Task SweepAsync() => RequeueAsync(Grace, includeScanning: false, CancellationToken.None);

    /// <summary>At start-up: resume everything left waiting, and sweep every minute from now on.</summary>
    public static async Task ScheduleAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StalledScans>().RequeueAsync(TimeSpan.Zero, includeScanning: true, CancellationToken.None);
        services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<StalledScans>(RecurringJobId, sweep => sweep.SweepAsync(), Cron.Minutely());
    }
}
