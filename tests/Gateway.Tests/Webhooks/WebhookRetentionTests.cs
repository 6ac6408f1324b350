using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Client;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Tests.Infrastructure;
using VendorGate.Gateway.Webhooks;

namespace VendorGate.Gateway.Tests.Webhooks;

/// <summary>Finished deliveries and dispatched events are forgotten after the retention; pending ones are kept. A class
/// of its own: it moves its Gateway's clock a month ahead.</summary>
public abstract class WebhookRetentionTests<TApp>(TApp app) : IClassFixture<TApp>, IAsyncLifetime where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<(int Events, int Deliveries)> CountAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        return (await db.WebhookEvents.CountAsync(), await db.WebhookDeliveries.CountAsync());
    }

    private async Task<int> UndispatchedAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<VendorGateDb>().WebhookEvents.CountAsync(e => e.DispatchedAt == null);
    }

    [Fact]
    public async Task DeliveredEventsAreForgottenAfterTheRetentionAndPendingOnesKept()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var delivered = await maintainer.Typed().CreateWebhookAsync(new() { Url = _receiver.Url("/ok"), Events = ["batch.received"] });
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        (await vendor.Annotator.UploadAsync(batch, HttpExtensions.Lines(new { prompt = Actors.Unique("p"), completion = "An answer." }))).EnsureSuccessStatusCode();
        await HttpExtensions.PollAsync(async () => (await maintainer.Typed().ListWebhookDeliveriesPageAsync(delivered.Id)).Items.Count(d => d.Status == "delivered"),
            n => n == 1, "the delivery");
        await HttpExtensions.PollAsync(CountAsync, c => c.Events >= 2, "the scan's event as well"); // batch.received and batch.scanned
        await HttpExtensions.PollAsync(UndispatchedAsync, n => n == 0, "every event dispatched"); // an undispatched one is rightly kept
        await using (var scope = app.Services.CreateAsyncScope()) // a delivery still being retried, as old as the others
        {
            var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                WebhookId = delivered.Id, EventId = Guid.NewGuid(), Type = "batch.received", Payload = "{}", Status = DeliveryStatus.Pending, CreatedAt = app.Clock.GetUtcNow(),
            });
            await db.SaveChangesAsync();
        }
        var before = await CountAsync();

        int removedEarly, removedLate;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            removedEarly = await scope.ServiceProvider.GetRequiredService<WebhookRetention>().RunAsync();
            app.Clock.Advance(TimeSpan.FromDays(31));
            removedLate = await scope.ServiceProvider.GetRequiredService<WebhookRetention>().RunAsync();
        }
        var after = await CountAsync();

        Assert.Equal(0, removedEarly);
        Assert.Equal(2, before.Deliveries);
        Assert.Equal(before.Events + 1, removedLate);
        Assert.Equal((0, 1), after);
        Assert.Equal("pending", Assert.Single((await maintainer.Typed().ListWebhookDeliveriesPageAsync(delivered.Id)).Items).Status);
        Assert.Single((await maintainer.Typed().ListWebhooksPageAsync()).Items); // the webhook itself stays
    }
}

public sealed class WebhookRetentionOnEmbedded(WebhookEmbeddedGateway app) : WebhookRetentionTests<WebhookEmbeddedGateway>(app);

public sealed class WebhookRetentionOnProduction(WebhookProductionGateway app) : WebhookRetentionTests<WebhookProductionGateway>(app);
