using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Scanning;

/// <summary>
/// Removes the state blobs of sharded scans that will never be merged: a scan's last merge deletes its own, but one that
/// was superseded (its batch rescanned under a new scan id after a crash, or scanned to the end by a duplicate) or
/// whose batch moved on leaves its shards' blobs behind. A scan's blobs go once its batch is no longer being scanned
/// and the scan began more than <c>VendorGate:Blob:StagingMaxAge</c> ago (its id is a version-7 GUID, which holds the
/// time it was made), so a rescan that starts while this runs keeps its own. Once at start-up, then every hour.
/// </summary>
public sealed class ScanShardCleanup(VendorGateDb db, IBlobStore blobs, IOptions<VendorGateOptions> options, TimeProvider time,
    ILogger<ScanShardCleanup> logger)
{
    public const string RecurringJobId = "clean-scan-shards";

    public async Task<int> RunAsync()
    {
        var startedBefore = time.GetUtcNow() - options.Value.Blob.StagingMaxAge;
        var old = new List<(string Name, Guid Batch)>();
        await foreach (var name in blobs.ListAsync(ScanShards.Root))
        {
            if (ScanShards.ScanOf(name) is { } scan && ScanShards.StartedAt(scan.ScanId) < startedBefore)
            {
                old.Add((name, scan.BatchId));
            }
        }
        var batches = old.Select(b => b.Batch).Distinct().ToList();
        var scanning = (await db.Batches.AsNoTracking().Where(b => batches.Contains(b.Id) && (b.Status == BatchStatus.Received || b.Status == BatchStatus.Scanning))
            .Select(b => b.Id).ToListAsync()).ToHashSet();
        var removed = 0;
        foreach (var (name, _) in old.Where(b => !scanning.Contains(b.Batch)))
        {
            await blobs.DeleteIfExistsAsync(name);
            removed++;
        }
        if (removed > 0)
        {
            logger.LogInformation("Removed {Count} state blob(s) of sharded scans that were superseded or whose batch moved on", removed);
        }
        return removed;
    }

    public static async Task ScheduleAsync(IServiceProvider services)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ScanShardCleanup>().RunAsync();
        }
        services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<ScanShardCleanup>(RecurringJobId, cleanup => cleanup.RunAsync(), Cron.Hourly());
    }
}
