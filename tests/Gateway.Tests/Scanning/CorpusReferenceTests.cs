using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Tests.Infrastructure;
using VendorGate.PoisonLab;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>Word order is judged with a sample of the approved corpus beside the batch (<see cref="CorpusReference"/>):
/// a batch too small to judge alone is judged once the corpus holds enough, and the sample is read once per corpus
/// state, not once per scan.</summary>
public abstract class CorpusReferenceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task ASmallBatchIsJudgedWithTheCorpusSampleAndTheSampleIsReadOncePerCorpusState()
    {
        var random = new Random(23);
        var corpora = Corpora.Shared;
        var vendor = await _actors.NewVendorAsync();
        var maintainer = (await _actors.NewStaffAsync("maintainer")).Client;
        object[] Small() => [.. Enumerable.Range(0, 30).Select(i => i % 3 == 0 ? corpora.WordSalad(random) : corpora.CleanEnglish(random))];

        var alone = await ScanAsync(vendor.Annotator, Small());
        Assert.Contains(alone.Findings, f => f.Code == WordSaladScanner.Unjudged.Code);
        var cleanCorpus = Enumerable.Range(0, 400).Select(_ => (object)corpora.CleanEnglish(random)).ToArray();
        await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, cleanCorpus);

        var judged = await ScanAsync(vendor.Annotator, Small());

        Assert.DoesNotContain(judged.Findings, f => f.Code == WordSaladScanner.Unjudged.Code);
        var salad = Assert.Single(judged.Findings, f => f.Code == WordSaladScanner.Kind.Code);
        Assert.All(salad.Lines, line => Assert.Equal(0, (line - 1) % 3)); // the salad, at lines 1, 4, 7, …, and no clean example
        Assert.True(salad.Lines.Count >= 8, $"{salad.Lines.Count} of 10 salad examples flagged");

        // Two scans of one corpus state share the sample; a batch joining the corpus makes a new one.
        var first = await ReferenceAsync(judged.Id);
        Assert.Same(first, await ReferenceAsync(judged.Id));
        await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, corpora.CleanEnglish(random));
        var next = await ReferenceAsync(judged.Id);
        Assert.NotSame(first, next);
        Assert.True(next!.Total > first!.Total);
    }

    private static async Task<VendorGate.Client.BatchView> ScanAsync(HttpClient annotator, object[] examples)
    {
        var id = (await annotator.CreateBatchAsync()).Id;
        (await annotator.UploadAsync(id, HttpExtensions.Lines(examples))).EnsureSuccessStatusCode();
        return await annotator.WaitForScanAsync(id);
    }

    private async Task<WordCounts?> ReferenceAsync(Guid batchId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var batch = await db.Batches.AsNoTracking().SingleAsync(b => b.Id == batchId);
        var context = new BatchScanContext(batch, null, new ScanReads(db), scope.ServiceProvider.GetRequiredService<IBlobStore>(), DateTimeOffset.UtcNow);
        return await CorpusReference.GetAsync(context, new WordSaladOptions().CorpusSample, CancellationToken.None);
    }
}

public sealed class CorpusReferenceOnEmbedded(EmbeddedGateway app) : CorpusReferenceTests<EmbeddedGateway>(app);

public sealed class CorpusReferenceOnProduction(ProductionGateway app) : CorpusReferenceTests<ProductionGateway>(app);
