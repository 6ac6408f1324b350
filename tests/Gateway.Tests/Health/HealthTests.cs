using System.Net;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Health;

public abstract class HealthTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    [Fact]
    public async Task ReadyWhenDatabaseAndBlobStoreAnswer()
    {
        var client = app.ClientFor(null);

        var live = await client.GetOk("/healthz");
        var ready = await client.GetOk("/readyz");

        Assert.Equal("alive", live.GetProperty("status").GetString());
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("ok", ready.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal("ok", ready.GetProperty("checks").GetProperty("blobs").GetString());
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
        Assert.Contains("blobs", problem.GetProperty("detail").GetString());
        Assert.Equal("unreachable", problem.GetProperty("checks").GetProperty("blobs").GetString());
        Assert.Equal("ok", problem.GetProperty("checks").GetProperty("database").GetString());
    }
}
