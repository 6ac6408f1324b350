using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Snapshots;

/// <summary>Two Gateways on one PostgreSQL cutting at the same moment: the advisory lock serializes them.</summary>
public sealed class MultiProcessCutTests(ProductionGateway app) : IClassFixture<ProductionGateway>
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task CutsFromTwoGatewaysGetConsecutiveVersionsAndNoDuplicate()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var first = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
        var second = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(3));
        await using var sibling = app.Sibling();
        var other = sibling.CreateClient();
        other.DefaultRequestHeaders.Authorization = maintainer.DefaultRequestHeaders.Authorization;

        var responses = await Task.WhenAll(
            maintainer.PostAsJsonAsync("/v1/snapshots", new { message = "from gateway one", batchIds = new[] { first } }),
            other.PostAsJsonAsync("/v1/snapshots", new { message = "from gateway two", batchIds = new[] { second } }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var cuts = (await Task.WhenAll(responses.Select(r => r.Json<SnapshotView>()))).OrderBy(c => int.Parse(c.Version!.Split('.')[0])).ToArray();
        Assert.Equal(cuts[0].Version, cuts[1].Parent);
        Assert.Equal(cuts[0].Count + cuts[1].AddedBatches[0].Added,
            cuts[1].Count);
        var all = await maintainer.GetOk<SnapshotViewPage>("/v1/snapshots?limit=500");
        var versions = all.Items.Select(s => s.Version).ToList();
        Assert.Equal(versions.Distinct().Count(), versions.Count);
        await using var download = await maintainer.Typed().GetSnapshotManifestAsync(cuts[1].Version);
        var manifest = await download.LinesAsync<ManifestEntry>().Select(m => m.Digest).ToListAsync();
        Assert.Equal(manifest.Distinct().Count(), manifest.Count);
    }
}
