using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
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
        var cuts = (await Task.WhenAll(responses.Select(r => r.Json()))).OrderBy(c => int.Parse(c.GetProperty("version").GetString()!.Split('.')[0])).ToArray();
        Assert.Equal(cuts[0].GetProperty("version").GetString(), cuts[1].GetProperty("parent").GetString());
        Assert.Equal(cuts[0].GetProperty("count").GetInt64() + cuts[1].GetProperty("addedBatches")[0].GetProperty("added").GetInt64(),
            cuts[1].GetProperty("count").GetInt64());
        var all = await maintainer.GetOk("/v1/snapshots?limit=500");
        var versions = all.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("version").GetString()).ToList();
        Assert.Equal(versions.Distinct().Count(), versions.Count);
        var manifest = (await maintainer.GetStringAsync($"/v1/snapshots/{cuts[1].GetProperty("version").GetString()}/manifest"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("digest").GetString()).ToList();
        Assert.Equal(manifest.Distinct().Count(), manifest.Count);
    }
}
