using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Webhooks;

/// <summary>
/// Sends one attempt of a delivery (a Hangfire job) and records it. Signed per Standard Webhooks: <c>webhook-id</c>
/// (the delivery's id, the same on every attempt), <c>webhook-timestamp</c> (unix seconds) and <c>webhook-signature</c>
/// (<c>v1,</c> + base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c> under the secret's bytes). A 2xx answer delivers
/// it; anything else (another status, a refused or failed connection, a timeout; redirects are not followed) is
/// retried after <c>VendorGate:Webhooks:RetryDelaysSeconds</c>, then the delivery has failed. Idempotent: an attempt
/// that was recorded is not made again.
/// </summary>
public sealed class WebhookSender(VendorGateDb db, WebhookHttp http, IOptions<WebhookOptions> options, IBackgroundJobClient jobs, TimeProvider time)
{
    public static void Enqueue(IBackgroundJobClient jobs, Guid deliveryId, int attempt, bool retries = true) =>
        jobs.Enqueue<WebhookSender>(s => s.SendAsync(deliveryId, attempt, retries, CancellationToken.None));

    [AutomaticRetry(Attempts = 0)] // its own back-off, below; a database failure leaves the delivery pending for the start-up sweep
    public async Task SendAsync(Guid deliveryId, int attempt, bool retries, CancellationToken ct)
    {
        var delivery = await db.Set<WebhookDelivery>().Include(d => d.Attempts).FirstOrDefaultAsync(d => d.Id == deliveryId, ct);
        var webhook = delivery is null ? null : await db.Set<Webhook>().AsNoTracking().FirstOrDefaultAsync(w => w.Id == delivery.WebhookId, ct);
        if (delivery is null || webhook is null || delivery.Attempts.Any(a => a.Number >= attempt))
        {
            return; // the webhook was deleted, or this attempt was made
        }
        var started = Stopwatch.StartNew();
        var (status, error) = await PostAsync(webhook, delivery, ct);
        delivery.Attempts.Add(new WebhookAttempt
        {
            DeliveryId = deliveryId, Number = attempt, At = time.Now(), StatusCode = status, Error = error, DurationMs = (int)started.ElapsedMilliseconds,
        });
        var delays = options.Value.RetryDelaysSeconds;
        var retry = status is not (>= 200 and < 300) && retries && attempt <= delays.Length;
        (delivery.Status, delivery.DeliveredAt) = status is >= 200 and < 300 ? (DeliveryStatus.Delivered, (DateTimeOffset?)time.Now())
            : retry ? (DeliveryStatus.Pending, null) : (DeliveryStatus.Failed, null);
        await db.SaveChangesAsync(ct);
        if (retry)
        {
            jobs.Schedule<WebhookSender>(s => s.SendAsync(deliveryId, attempt + 1, true, CancellationToken.None), TimeSpan.FromSeconds(delays[attempt - 1]));
        }
    }

    private async Task<(int? Status, string? Error)> PostAsync(Webhook webhook, WebhookDelivery delivery, CancellationToken ct)
    {
        var timestamp = time.Now().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", delivery.Id.ToString());
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Sign(webhook.Secret, delivery.Id.ToString(), timestamp, delivery.Payload));
        request.Headers.UserAgent.ParseAdd("VendorGate-Webhooks/1");
        try
        {
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            return (code, code is >= 300 and < 400 ? $"redirect to {response.Headers.Location} not followed" : null);
        }
        catch (HttpRequestException e)
        {
            return (null, e.InnerException is WebhookRefusedException refused ? refused.Message : e.Message);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"no answer within {options.Value.Timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>The Standard Webhooks signature of a message: <c>v1,</c> + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")),
    /// where the key is the base64 after <c>whsec_</c>.</summary>
    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
    }

    /// <summary>Start-up: an attempt for every pending delivery that has none scheduled any more (in-memory jobs die
    /// with the process; the attempt numbers keep a PostgreSQL-queued one from being made twice).</summary>
    public static async Task ResumeAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var jobs = scope.ServiceProvider.GetRequiredService<IBackgroundJobClient>();
        var pending = await db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.Status == DeliveryStatus.Pending)
            .Select(d => new { d.Id, Attempts = d.Attempts.Count }).ToListAsync();
        foreach (var delivery in pending)
        {
            Enqueue(jobs, delivery.Id, delivery.Attempts + 1);
        }
    }
}

/// <summary>A connection the network guard refused.</summary>
public sealed class WebhookRefusedException(string message) : IOException(message);

/// <summary>The HTTP client deliveries go out on: no redirects, a timeout, and every connection checked by
/// <see cref="NetworkGuard"/> against the addresses its host resolves to at that moment.</summary>
public sealed class WebhookHttp : IDisposable
{
    public WebhookHttp(IOptions<WebhookOptions> options)
    {
        var allowPrivate = options.Value.AllowPrivateNetworks;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = async (context, ct) =>
            {
                var (addresses, refusal) = await NetworkGuard.ResolveAsync(context.DnsEndPoint.Host, allowPrivate, ct);
                if (refusal is not null)
                {
                    throw new WebhookRefusedException(refusal);
                }
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        Client = new HttpClient(handler) { Timeout = options.Value.Timeout };
    }

    public HttpClient Client { get; }

    public void Dispose() => Client.Dispose();
}
