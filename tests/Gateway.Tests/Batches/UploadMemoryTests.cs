using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using VendorGate.Corpus;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Batches;

/// <summary>What bounds an upload's memory: a body of known length is read in one chunk of its size, and a process
/// ingests at most <c>VendorGate:Ingest:MaxConcurrentUploads</c> single-body uploads at once.</summary>
public sealed class UploadMemoryTests
{
    private static async Task<(IngestOutcome Outcome, byte[] Content, byte[] Index)> IngestAsync(string body, long? bodyBytes, int maxLineBytes = 1 << 20)
    {
        using var content = new MemoryStream();
        using var index = new MemoryStream();
        var outcome = await ExampleIngest.RunAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), content, index,
            new IngestLimits(maxLineBytes, 1L << 30), ["billing"], CancellationToken.None, bodyBytes);
        return (outcome, content.ToArray(), index.ToArray());
    }

    [Fact]
    public async Task A_body_of_known_length_ingests_exactly_as_one_of_unknown_length()
    {
        var body = string.Concat(Enumerable.Range(0, 500).Select(i => $"{{\"prompt\":\"question {i}\",\"completion\":\"answer {i}\"}}\n"));

        var hinted = await IngestAsync(body, Encoding.UTF8.GetByteCount(body));
        var plain = await IngestAsync(body, null);

        var accepted = Assert.IsType<IngestOutcome.Accepted>(hinted.Outcome);
        Assert.Equal(500, accepted.Count);
        Assert.Equal(((IngestOutcome.Accepted)plain.Outcome).Digest, accepted.Digest);
        Assert.Equal(plain.Content, hinted.Content);
        Assert.Equal(plain.Index, hinted.Index);
    }

    [Fact]
    public async Task A_line_too_long_is_reported_the_same_with_the_length_known()
    {
        var body = "{\"prompt\":\"short\",\"completion\":\"fine\"}\n{\"prompt\":\"" + new string('x', 300) + "\",\"completion\":\"long\"}\n{\"prompt\":\"last\",\"completion\":\"x\"}";

        var hinted = await IngestAsync(body, Encoding.UTF8.GetByteCount(body), maxLineBytes: 100);
        var plain = await IngestAsync(body, null, maxLineBytes: 100);

        var invalid = Assert.IsType<IngestOutcome.InvalidLines>(hinted.Outcome);
        Assert.Equal(2, Assert.Single(invalid.Errors).Line);
        Assert.Equal(((IngestOutcome.InvalidLines)plain.Outcome).Errors.Select(e => e.ToString()), invalid.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task An_upload_waits_for_a_place_and_a_place_is_given_back_once()
    {
        var ingest = new ContentIngest(null!, Options.Create(new VendorGateOptions { Ingest = { MaxConcurrentUploads = 1 } }));

        var first = await ingest.EnterUploadAsync(CancellationToken.None);
        var second = ingest.EnterUploadAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);

        first.Dispose();
        var secondPlace = await second;
        first.Dispose(); // twice: still one place, which the second holds
        var third = ingest.EnterUploadAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);
        secondPlace.Dispose();
        (await third).Dispose();
    }
}

/// <summary>A Gateway with one upload place: uploads at once (one refused) all end, each with its own outcome.</summary>
public abstract class OneUploadPlaceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task UploadsAtOnceThroughOnePlaceAllEndAndARefusedOneGivesItsPlaceBack()
    {
        var vendor = await _actors.NewVendorAsync();
        await using var narrow = app.WithWebHostBuilder(b => b.UseSetting("VendorGate:Jobs:RunServer", "false").UseSetting("VendorGate:Ingest:MaxConcurrentUploads", "1"));
        var annotator = narrow.CreateClient();
        annotator.DefaultRequestHeaders.Authorization = vendor.Annotator.DefaultRequestHeaders.Authorization;
        var batches = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => vendor.Annotator.CreateBatchAsync()));

        var responses = await Task.WhenAll(batches.Select((b, i) => annotator.UploadAsync(b.Id,
            i == 1 ? "{\"prompt\":\"no completion\"}\n" : Lines(Actors.Examples(20)))));

        Assert.Equal(HttpStatusCode.Accepted, responses[0].StatusCode);
        await responses[1].AssertProblem(HttpStatusCode.BadRequest, "invalid-lines");
        Assert.Equal(HttpStatusCode.Accepted, responses[2].StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, responses[3].StatusCode);
        var after = await annotator.UploadAsync((await vendor.Annotator.CreateBatchAsync()).Id, Lines(Actors.Examples(3)));
        Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
    }
}

public sealed class OneUploadPlaceOnEmbedded(EmbeddedGateway app) : OneUploadPlaceTests<EmbeddedGateway>(app);

public sealed class OneUploadPlaceOnProduction(ProductionGateway app) : OneUploadPlaceTests<ProductionGateway>(app);
