using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Health;

public static class HealthApi
{
    public sealed record HealthStatus(string Status, IReadOnlyDictionary<string, string> Checks);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("alive", new Dictionary<string, string>())))
            .AllowAnonymous().WithTags("Health").WithName("Liveness").WithSummary("The process is alive.");
        routes.MapGet("/readyz", Ready)
            .AllowAnonymous().WithTags("Health").WithName("Readiness")
            .WithSummary("The start-up warm-up is done and the database, blob store and signer are reachable; 503 problem naming what is not.").ProducesProblem(503);
        return routes;
    }

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> Ready(
        [FromServices] VendorGateDb db, [FromServices] IBlobStore blobs, [FromServices] VendorGate.Attest.Signing.ISigner signer,
        [FromServices] Batches.Ingest.IngestWarmUpService warmUp, [FromServices] ILogger<HealthStatus> logger, CancellationToken ct)
    {
        var checks = new Dictionary<string, string>
        {
            ["warmUp"] = warmUp.Done ? "ok" : "running",
            ["database"] = await Probe("database", async () =>
            {
                if (!await db.Database.CanConnectAsync(ct))
                {
                    throw new InvalidOperationException("cannot connect");
                }
            }),
            ["blobs"] = await Probe("blobs", () => blobs.CheckAsync(ct)),
            ["signer"] = await Probe("signer", () => signer.GetCurrentKeyAsync(ct)),
        };
        var failing = checks.Where(c => c.Value != "ok").Select(c => c.Key).ToList();
        return failing.Count == 0
            ? TypedResults.Ok(new HealthStatus("ready", checks))
            : Problems.Create(503, "not-ready", $"Not ready: {string.Join(", ", failing)}.", new Dictionary<string, object?> { ["checks"] = checks });

        async Task<string> Probe(string name, Func<Task> check)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await check().WaitAsync(timeout.Token);
                return "ok";
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "Readiness check {Check} failed", name);
                return "unreachable";
            }
        }
    }
}
