using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>A webhook delivery as received: its path, Standard Webhooks headers and body.</summary>
public sealed record ReceivedWebhook(string Path, string Id, string Timestamp, string Signature, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Type => Json.GetProperty("type").GetString()!;

    /// <summary>Verifies the signature as a receiver does (Standard Webhooks): HMAC-SHA256 over "{id}.{timestamp}.{body}"
    /// under the base64 key after <c>whsec_</c>, any of the space-separated <c>v1,</c> signatures, in constant time.</summary>
    public bool SignedWith(string secret)
    {
        var expected = HMACSHA256.HashData(Convert.FromBase64String(secret["whsec_".Length..]), Encoding.UTF8.GetBytes($"{Id}.{Timestamp}.{Body}"));
        return Signature.Split(' ').Where(s => s.StartsWith("v1,", StringComparison.Ordinal))
            .Any(s => CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(s[3..]), expected));
    }
}

/// <summary>A real HTTP server on a loopback port that records every POST. A path's answers can be scripted
/// (<see cref="Answer"/>: e.g. 500 twice, then 200); unscripted paths answer 200.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _answers = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public Uri Address { get; private set; } = null!;

    public string Url(string path) => new Uri(Address, path).ToString();

    /// <summary>The status codes the next requests to <paramref name="path"/> get, in order (then 200).</summary>
    public void Answer(string path, params int[] statuses) => _answers[path] = new ConcurrentQueue<int>(statuses);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            var path = http.Request.Path.Value!;
            receiver.Received.Enqueue(new ReceivedWebhook(path, http.Request.Headers["webhook-id"].ToString(),
                http.Request.Headers["webhook-timestamp"].ToString(), http.Request.Headers["webhook-signature"].ToString(), body));
            var status = receiver._answers.TryGetValue(path, out var answers) && answers.TryDequeue(out var scripted) ? scripted : 200;
            if (status is >= 300 and < 400)
            {
                http.Response.Headers.Location = receiver.Url("/redirected");
            }
            http.Response.StatusCode = status;
        });
        await app.StartAsync();
        receiver.Address = new Uri(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return receiver;
    }

    /// <summary>What <paramref name="path"/> received so far.</summary>
    public List<ReceivedWebhook> At(string path) => [.. Received.Where(r => r.Path == path)];

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
