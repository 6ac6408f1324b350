using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Client;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches.Ingest;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Health;

public abstract class HealthTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    [Fact]
    public async Task ReadyWhenDatabaseAndBlobStoreAnswer()
    {
        var client = app.ClientFor(null);

        var live = await client.GetOk<HealthStatus>("/healthz");
        var ready = await client.GetOk<HealthStatus>("/readyz");

        Assert.Equal("alive", live.Status);
        Assert.Equal("ready", ready.Status);
        Assert.Equal("ok", ready.Checks["database"]);
        Assert.Equal("ok", ready.Checks["blobs"]);
    }
}

public sealed class HealthOnEmbedded(EmbeddedGateway app) : HealthTests<EmbeddedGateway>(app);

public sealed class HealthOnProduction(ProductionGateway app) : HealthTests<ProductionGateway>(app);

/// <summary>A Gateway that warms its upload path as it starts (the default outside the test suite).</summary>
public abstract class WarmUpTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    [Fact]
    public async Task Ready_once_the_upload_path_is_warm_and_the_warm_up_leaves_nothing_behind()
    {
        await app.Services.GetRequiredService<IngestWarmUpService>().Completion.WaitAsync(TimeSpan.FromMinutes(1));

        var ready = await app.ClientFor(null).GetOk<HealthStatus>("/readyz");

        Assert.Equal("ok", ready.Checks["warmUp"]);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        Assert.Empty(await db.Batches.Select(b => b.Id).ToListAsync());
        Assert.Empty(await db.AuditEntries.Where(a => a.Actor == "warm-up").Select(a => a.Seq).ToListAsync());
        Assert.True((await scope.ServiceProvider.GetRequiredService<AuditLog>().VerifyAsync()).Valid);
    }
}

public sealed class WarmUpEmbeddedGateway : EmbeddedGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings) { ["VendorGate:Ingest:WarmUp"] = "true" };
}

public sealed class WarmUpProductionGateway : ProductionGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings) { ["VendorGate:Ingest:WarmUp"] = "true" };
}

public sealed class WarmUpOnEmbedded(WarmUpEmbeddedGateway app) : WarmUpTests<WarmUpEmbeddedGateway>(app);

public sealed class WarmUpOnProduction(WarmUpProductionGateway app) : WarmUpTests<WarmUpProductionGateway>(app);

public sealed class ReadinessFailureTests
{
    [Fact]
    public async Task NotReadyNamesTheUnreachableBlobStore()
    {
        await using var app = new EmbeddedGateway();
        var client = app.ClientFor(null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

        Directory.Delete(Path.Combine(app.DataDir, "blobs"), recursive: true);
        var response = await client.GetAsync("/readyz");

        var problem = await response.AssertProblem(HttpStatusCode.ServiceUnavailable, "not-ready");
        Assert.Contains("blobs", problem.Detail);
        Assert.Equal("unreachable", problem.Checks!["blobs"]);
        Assert.Equal("ok", problem.Checks!["database"]);
    }
}
