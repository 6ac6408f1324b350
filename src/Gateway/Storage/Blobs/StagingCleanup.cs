using Hangfire;
using Microsoft.Extensions.Options;

namespace VendorGate.Gateway.Storage.Blobs;

/// <summary>Removes what crashed uploads and cuts left in the blob store's staging area
/// (<see cref="BlobOptions.StagingMaxAge"/>): once at start-up, then every hour.</summary>
public sealed class StagingCleanup(IBlobStore blobs, IOptions<VendorGateOptions> options, ILogger<StagingCleanup> logger)
{
    public const string RecurringJobId = "clean-blob-staging";

    public async Task<int> RunAsync()
    {
        var removed = await blobs.RemoveAbandonedAsync(options.Value.Blob.StagingMaxAge);
        if (removed > 0)
        {
            logger.LogWarning("Removed {Count} abandoned staged upload(s) older than {Age}", removed, options.Value.Blob.StagingMaxAge);
        }
        return removed;
    }

    public static async Task ScheduleAsync(IServiceProvider services)
    {
        await services.GetRequiredService<StagingCleanup>().RunAsync();
        services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<StagingCleanup>(RecurringJobId, cleanup => cleanup.RunAsync(), Cron.Hourly());
    }
}
