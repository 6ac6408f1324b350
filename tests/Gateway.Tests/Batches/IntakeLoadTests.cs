using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Client;
using VendorGate.Gateway.Batches.Ingest;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Batches;

/// <summary>Admission on what a Gateway is receiving now: while as many uploads as allowed are in progress or about to
/// start, a create is refused with 503 intake-busy and Retry-After and leaves nothing behind; uploads to open batches
/// and replayed creates are never refused.</summary>
public abstract class IntakeLoadTests<TApp>(TApp app) : IClassFixture<TApp>, IAsyncLifetime where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private IntakeLoad Intake => app.Services.GetRequiredService<IntakeLoad>();

    // The class's tests share the Gateway: what an earlier test created and left unsent no longer holds a place.
    public Task InitializeAsync()
    {
        app.Clock.Advance(IntakeLoad.Reserved);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Parties_waiting_to_upload_fill_the_places_and_a_create_is_refused_until_their_uploads_end_or_their_places_lapse()
    {
        var (a, b, c) = (await _actors.NewVendorAsync(), await _actors.NewVendorAsync(), await _actors.NewVendorAsync());
        var key = Actors.Unique("key");
        var a1 = await a.Annotator.CreateBatchAsync(idempotencyKey: key);
        await a.Annotator.CreateBatchAsync(); // a second batch of the same party: one place, as it sends them in turn
        await b.Annotator.CreateBatchAsync(); // the second place (of 2)
        var batchesBefore = await CountBatchesAsync();

        var refused = await Assert.ThrowsAsync<VendorGateProblemException>(() => c.Annotator.CreateBatchAsync());
        var replayed = await a.Annotator.CreateBatchAsync(idempotencyKey: key); // answered as before, never refused
        var upload = await a.Annotator.UploadAsync(a1.Id, Lines(new { prompt = Actors.Unique("p"), completion = "c" })); // to an open batch: never refused
        var refusedAgain = await Assert.ThrowsAsync<VendorGateProblemException>(() => c.Annotator.CreateBatchAsync()); // a's other batch still holds its place
        app.Clock.Advance(IntakeLoad.Reserved);
        var admitted = await c.Annotator.CreateBatchAsync();

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "intake-busy", TimeSpan.FromSeconds(1)), (refused.Status, refused.Code, refused.RetryAfter));
        Assert.Equal((2, 2), (refused.Problem.GetProperty("receiving").GetInt32(), refused.Problem.GetProperty("maxInFlight").GetInt32()));
        Assert.Equal(batchesBefore + 1, await CountBatchesAsync()); // the refusals created nothing; the last create did
        Assert.Equal(a1.Id, replayed.Id);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        Assert.Equal("intake-busy", refusedAgain.Code);
        Assert.Equal("open", admitted.Status);
    }

    [Fact]
    public async Task An_upload_in_progress_holds_its_place_until_it_ends()
    {
        var (a, b) = (await _actors.NewVendorAsync(), await _actors.NewVendorAsync());
        var batch = await a.Annotator.CreateBatchAsync();
        app.Clock.Advance(IntakeLoad.Reserved); // the create's own place lapses: only the upload holds one now
        var rest = new TaskCompletionSource();
        var content = new HeldContent(Lines(new { prompt = Actors.Unique("p"), completion = "first" }), Lines(new { prompt = Actors.Unique("p"), completion = "second" }), rest.Task);
        content.Headers.ContentType = new("application/x-ndjson");

        var uploading = a.Annotator.PutAsync($"/v1/batches/{batch.Id}/content", content);
        await PollAsync(() => Task.FromResult(Intake.Receiving), n => n == 1, "the upload to be in progress");
        await b.Annotator.CreateBatchAsync(); // 1 in progress, 2 allowed
        var refused = await Assert.ThrowsAsync<VendorGateProblemException>(() => b.Annotator.CreateBatchAsync()); // b's batch to send, and a's upload
        app.Clock.Advance(IntakeLoad.Reserved); // b's place lapses; a's upload still holds its own
        await b.Annotator.CreateBatchAsync();
        var refusedWhileUploading = await Assert.ThrowsAsync<VendorGateProblemException>(() => b.Annotator.CreateBatchAsync());
        rest.SetResult();
        var uploaded = await uploading;
        app.Clock.Advance(IntakeLoad.Reserved);
        var admitted = await b.Annotator.CreateBatchAsync();

        Assert.Equal(("intake-busy", "intake-busy"), (refused.Code, refusedWhileUploading.Code));
        Assert.Equal(HttpStatusCode.Accepted, uploaded.StatusCode);
        Assert.Equal(1, Intake.Receiving); // b's last batch, waiting for its upload; a's upload ended
        Assert.Equal("open", admitted.Status);
    }

    [Fact]
    public async Task The_blocks_a_session_sends_at_once_are_one_upload()
    {
        var (a, b) = (await _actors.NewVendorAsync(), await _actors.NewVendorAsync());
        var batch = await a.Annotator.CreateBatchAsync();
        var session = await a.Annotator.Typed().CreateUploadSessionAsync(batch.Id, new CreateUploadRequest());
        app.Clock.Advance(IntakeLoad.Reserved); // the create's own place lapses: only the blocks hold one now
        var rest = new TaskCompletionSource();
        var blocks = new[] { "first", "second" }.Select((text, n) =>
        {
            var (head, tail) = (Lines(new { prompt = Actors.Unique("p"), completion = text }), Lines(new { prompt = Actors.Unique("p"), completion = text }));
            var content = new HeldContent(head, tail, rest.Task);
            content.Headers.Add("Content-Digest", $"sha-256=:{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(head + tail)))}:");
            return a.Annotator.PutAsync($"/v1/batches/{batch.Id}/uploads/{session.Id}/blocks/{n}", content);
        }).ToList();

        await PollAsync(() => Task.FromResult(Intake.Requests), n => n == 2, "both blocks to be in progress");
        var receiving = Intake.Receiving;
        var admitted = await b.Annotator.CreateBatchAsync(); // the two blocks hold one place of 2
        rest.SetResult();
        var sent = await Task.WhenAll(blocks);

        Assert.Equal(1, receiving);
        Assert.Equal("open", admitted.Status);
        Assert.All(sent, r => Assert.True(r.IsSuccessStatusCode, r.StatusCode.ToString()));
    }

    /// <summary>A body sent in two parts, the second once <paramref name="rest"/> completes: an upload held in progress.</summary>
    private sealed class HeldContent(string first, string second, Task rest) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(first));
            await stream.FlushAsync();
            await rest;
            await stream.WriteAsync(Encoding.UTF8.GetBytes(second));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private async Task<int> CountBatchesAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<VendorGateDb>().Batches.CountAsync();
    }
}

/// <summary>Two uploads in progress or about to start allowed, from the start (no slow start).</summary>
internal static class IntakeLoadSettings
{
    public static Dictionary<string, string?> Limited(Dictionary<string, string?> settings) => new(settings)
    {
        ["VendorGate:Ingest:MaxInFlight"] = "2", ["VendorGate:Ingest:SlowStart"] = "00:00:00",
    };
}

public sealed class IntakeLoadSlowStartTests
{
    [Theory]
    [InlineData(0.0, 1)] // a fresh process: one upload at a time
    [InlineData(2.5, 1)]
    [InlineData(2.6, 2)]
    [InlineData(5.0, 2)]
    [InlineData(7.6, 4)]
    [InlineData(10.0, 4)] // the full limit once the slow start is over
    [InlineData(60.0, 4)]
    public void The_limit_grows_from_one_to_its_full_value_over_the_slow_start(double seconds, int limit) =>
        Assert.Equal(limit, IntakeLoad.Limit(4, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(10)));

    [Fact]
    public void No_limit_and_no_slow_start_leave_the_limit_as_it_is()
    {
        Assert.Equal(0, IntakeLoad.Limit(0, TimeSpan.Zero, TimeSpan.FromSeconds(10)));
        Assert.Equal(4, IntakeLoad.Limit(4, TimeSpan.Zero, TimeSpan.Zero));
    }
}

public sealed class IntakeLoadEmbeddedGateway : EmbeddedGateway
{
    protected override Dictionary<string, string?> Settings => IntakeLoadSettings.Limited(base.Settings);
}

public sealed class IntakeLoadProductionGateway : ProductionGateway
{
    protected override Dictionary<string, string?> Settings => IntakeLoadSettings.Limited(base.Settings);
}

public sealed class IntakeLoadOnEmbedded(IntakeLoadEmbeddedGateway app) : IntakeLoadTests<IntakeLoadEmbeddedGateway>(app);

public sealed class IntakeLoadOnProduction(IntakeLoadProductionGateway app) : IntakeLoadTests<IntakeLoadProductionGateway>(app);
