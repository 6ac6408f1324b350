using Microsoft.Extensions.Options;
using VendorGate.Corpus;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Batches.Ingest;

/// <summary>Warms the ingest code (<see cref="IngestWarmUp"/>) in the background as the Gateway starts, unless
/// <c>VendorGate:Ingest:WarmUp</c> is false: readiness does not wait for it.</summary>
public sealed class IngestWarmUpService(IOptions<VendorGateOptions> options, ILogger<IngestWarmUpService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => !options.Value.Ingest.WarmUp ? Task.CompletedTask : Task.Run(() =>
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IngestWarmUp.Run();
        logger.LogDebug("Ingest warmed up in {Elapsed} ms", clock.ElapsedMilliseconds);
    }, stoppingToken);
}
