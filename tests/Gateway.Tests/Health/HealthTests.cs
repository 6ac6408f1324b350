using System.Net;
using VendorGate.Client;
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
