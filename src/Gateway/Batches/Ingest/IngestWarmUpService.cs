using Microsoft.Extensions.Options;
using VendorGate.Corpus;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Batches.Ingest;

/// <summary>
/// Warms what every upload runs as the Gateway starts, unless <c>VendorGate:Ingest:WarmUp</c> is false; readiness
/// (<c>/readyz</c>) waits for it (<see cref="Done"/>). First the ingest code (<see cref="IngestWarmUp"/>), then the
/// database work of a create and an upload, as their endpoints do it, in transactions rolled back: the vendor's
/// compliance assessment (without recording it), a batch row and its audit entry, the move to received and its entry.
/// Nothing is kept. Under 50 vendors starting at once, a fresh process's first uploads were its slowest: 53–65 took
/// over a second in the first 10 s without the database part, 13–56 (median 43) with it; over a 60 s run the accept
/// p99 fell below a second (<c>bash scripts/bench.sh load</c>, README "Tests and benchmarks").
/// </summary>
public sealed class IngestWarmUpService(IOptions<VendorGateOptions> options, IServiceScopeFactory scopes, TimeProvider time,
    ILogger<IngestWarmUpService> logger) : BackgroundService
{
    /// <summary>Rounds of the database work: enough for the JIT to optimize what they call.</summary>
    private const int Rounds = 60;

    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the warm-up has finished (or is not to run, or failed: a warm-up never keeps the Gateway
    /// unready).</summary>
    public Task Completion => _done.Task;

    public bool Done => Completion.IsCompleted;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => !options.Value.Ingest.WarmUp ? Finish() : Task.Run(async () =>
    {
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            IngestWarmUp.Run();
            for (var round = 0; round < Rounds; round++)
            {
                await UploadOnceAsync(stoppingToken);
            }
            logger.LogDebug("Ingest and upload path warmed up in {Elapsed} ms", clock.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The start-up warm-up failed; the Gateway serves without it");
        }
        finally
        {
            await Finish();
        }
    }, stoppingToken);

    private Task Finish()
    {
        _done.TrySetResult();
        return Task.CompletedTask;
    }

    private async Task UploadOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var (db, audit) = (scope.ServiceProvider.GetRequiredService<VendorGateDb>(), scope.ServiceProvider.GetRequiredService<AuditLog>());
        var vendorId = Guid.NewGuid();
        await scope.ServiceProvider.GetRequiredService<Compliance.ComplianceService>().AssessAsync(vendorId, ct, record: false);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var batch = new Batch
        {
            VendorId = vendorId, SubmitterId = Guid.NewGuid(), Justification = "warm-up", License = "CC-BY-4.0", Source = BatchSources.Vendor,
            DeclaredDomains = "warm-up", RequestDigest = "", CreatedAt = time.Now(),
        };
        db.Batches.Add(batch);
        await audit.RecordAsync("warm-up", "batch.create", $"batch:{batch.Id}", new { batch.Source }, ct);
        var accepted = new IngestOutcome.Accepted(1, new byte[32], 1);
        await BatchesApi.MarkReceivedAsync(db, batch.Id, accepted, "", ("", ""), time.Now(), (null, null), ct);
        await audit.RecordAsync("warm-up", "batch.receive", $"batch:{batch.Id}", new { count = accepted.Count }, ct);
        await tx.RollbackAsync(ct);
    }
}
