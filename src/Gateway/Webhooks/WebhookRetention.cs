using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Webhooks;

/// <summary>Forgets what is done with: events dispatched, and deliveries delivered or failed, longer ago than
/// <c>VendorGate:Webhooks:Retention</c>; hourly, so the tables follow the traffic, not the age of the
/// deployment. Pending deliveries are kept whatever their age.</summary>
public sealed class WebhookRetention(VendorGateDb db, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string RecurringJobId = "prune-webhook-deliveries";

    public async Task<int> RunAsync()
    {
        var cutoff = time.Now() - options.Value.Retention;
        // Compared here: SQLite cannot compare DateTimeOffset in a query.
        var events = (await db.WebhookEvents.AsNoTracking().Where(e => e.DispatchedAt != null).Select(e => new { e.Id, e.DispatchedAt }).ToListAsync())
            .Where(e => e.DispatchedAt < cutoff).Select(e => e.Id).ToList();
        var deliveries = (await db.WebhookDeliveries.AsNoTracking().Where(d => d.Status != DeliveryStatus.Pending).Select(d => new { d.Id, d.CreatedAt }).ToListAsync())
            .Where(d => d.CreatedAt < cutoff).Select(d => d.Id).ToList();
        foreach (var chunk in deliveries.Chunk(500))
        {
            await db.WebhookDeliveries.Where(d => chunk.Contains(d.Id)).ExecuteDeleteAsync(); // attempts cascade
        }
        foreach (var chunk in events.Chunk(500))
        {
            await db.WebhookEvents.Where(e => chunk.Contains(e.Id)).ExecuteDeleteAsync();
        }
        return events.Count + deliveries.Count;
    }

    public static void Schedule(IServiceProvider services) =>
        services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<WebhookRetention>(RecurringJobId, r => r.RunAsync(), Cron.Hourly());
}
