using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "VendorGate:Webhooks";

    /// <summary>Allow webhook URLs on loopback, link-local and private addresses (off: SSRF).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How often new events are turned into deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long dispatched events and finished deliveries (with their attempts) are kept.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a receiver has to answer an attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Back-off between attempts, one delay per retry (then the delivery has failed); configured, the list
    /// replaces <see cref="DefaultRetryDelaysSeconds"/> (applied only when none is configured: binding appends to an array it finds).</summary>
    public int[] RetryDelaysSeconds { get; set; } = [];

    public static readonly int[] DefaultRetryDelaysSeconds = [5, 30, 120, 600, 3600, 21600];
}

/// <summary>Turns recorded events into deliveries: every <see cref="WebhookOptions.PollInterval"/>, the events not yet
/// dispatched become one delivery per interested webhook (a vendor admin's: only its vendor's batch events) and are
/// marked dispatched in the same transaction; each delivery's first attempt is then queued. Two Gateways doing this
/// at once collide on the (webhook, event) unique index, and the loser leaves the events to the winner.</summary>
public sealed class WebhookDispatcher(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        do
        {
            try
            {
                await DispatchAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Dispatching webhook events failed; retrying at the next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> DispatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var events = await db.Set<WebhookEvent>().Where(e => e.DispatchedAt == null).OrderBy(e => e.Id).Take(500).ToListAsync(ct);
        if (events.Count == 0)
        {
            return 0;
        }
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().Now();
        var webhooks = await db.Set<Webhook>().AsNoTracking().ToListAsync(ct);
        var deliveries = new List<WebhookDelivery>();
        foreach (var e in events)
        {
            deliveries.AddRange(webhooks.Where(w => w.Wants(e.Type) && (w.VendorId is null || w.VendorId == e.VendorId && WebhookEvents.VendorEvents.Contains(e.Type)))
                .Select(w => new WebhookDelivery { WebhookId = w.Id, EventId = e.Id, Type = e.Type, Payload = e.Payload, Status = DeliveryStatus.Pending, CreatedAt = now }));
            e.DispatchedAt = now;
        }
        db.AddRange(deliveries);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return 0; // another Gateway dispatched them first
        }
        var jobs = scope.ServiceProvider.GetRequiredService<Hangfire.IBackgroundJobClient>();
        foreach (var delivery in deliveries)
        {
            WebhookSender.Enqueue(jobs, delivery.Id, attempt: 1);
        }
        return deliveries.Count;
    }
}

public static class WebhooksSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .PostConfigure(o => o.RetryDelaysSeconds = o.RetryDelaysSeconds is [] ? WebhookOptions.DefaultRetryDelaysSeconds : o.RetryDelaysSeconds)
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.Timeout > TimeSpan.Zero && o.Retention > TimeSpan.Zero,
                "VendorGate:Webhooks:PollInterval, Timeout and Retention are positive")
            .Validate(o => o.RetryDelaysSeconds.All(d => d >= 0), "VendorGate:Webhooks:RetryDelaysSeconds are not negative")
            .ValidateOnStart();
        services.AddSingleton<WebhookHttp>();
        services.AddScoped<WebhookSender>();
        services.AddScoped<WebhookRetention>();
        if (JobsOptions.From(configuration).RunServer)
        {
            services.AddHostedService<WebhookDispatcher>();
        }
        return services;
    }
}
