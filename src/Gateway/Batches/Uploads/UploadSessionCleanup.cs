using Hangfire;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches.Uploads;

/// <summary>Removes expired upload sessions and every block blob whose session is gone (expired, abandoned, or
/// committed but not yet tidied), and stops their ingests here: once at start-up, then every hour.</summary>
public sealed class UploadSessionCleanup(VendorGateDb db, IBlobStore blobs, StreamingIngests streaming, TimeProvider time, ILogger<UploadSessionCleanup> logger)
{
    public const string RecurringJobId = "clean-upload-sessions";
    private const string Root = "uploads/";

    public async Task<int> RunAsync()
    {
        var now = time.Now();
        // Few rows: compared here, since SQLite cannot compare DateTimeOffset in a query.
        var expired = (await db.UploadSessions.AsNoTracking().Select(s => new { s.Id, s.ExpiresAt }).ToListAsync()).Where(s => s.ExpiresAt <= now).Select(s => s.Id).ToList();
        await db.UploadSessions.Where(s => expired.Contains(s.Id)).ExecuteDeleteAsync();
        var open = (await db.UploadSessions.AsNoTracking().Select(s => s.Id).ToListAsync()).ToHashSet();
        await streaming.StopAllButAsync(open);
        var live = open.Select(UploadSession.Prefix).ToHashSet();
        var removed = 0;
        await foreach (var name in blobs.ListAsync(Root))
        {
            if (!live.Contains(name[..Math.Min(name.Length, UploadSession.Prefix(Guid.Empty).Length)]))
            {
                await blobs.DeleteIfExistsAsync(name);
                removed++;
            }
        }
        if (expired.Count > 0 || removed > 0)
        {
            logger.LogInformation("Removed {Sessions} expired upload session(s) and {Blocks} block(s) of sessions that are gone", expired.Count, removed);
        }
        return removed;
    }

    /// <summary>Job: the blocks of a session just committed (idempotent: what is gone stays gone).</summary>
    public Task RemoveCommittedAsync(Guid sessionId) => RemoveBlobsAsync(blobs, sessionId, CancellationToken.None);

    /// <summary>The blocks of one session, which is gone (committed or abandoned).</summary>
    internal static async Task RemoveBlobsAsync(IBlobStore blobs, Guid sessionId, CancellationToken cancellationToken)
    {
        await foreach (var name in blobs.ListAsync(UploadSession.Prefix(sessionId), cancellationToken))
        {
            await blobs.DeleteIfExistsAsync(name, cancellationToken);
        }
    }

    public static async Task ScheduleAsync(IServiceProvider services)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UploadSessionCleanup>().RunAsync();
        }
        services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<UploadSessionCleanup>(RecurringJobId, cleanup => cleanup.RunAsync(), Cron.Hourly());
    }
}
