using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Snapshots;

/// <summary>Every list people expect pages the same way: {items, nextCursor}, ?limit= and ?cursor=, in a stable order.</summary>
public abstract class ListPagingTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    /// <summary>Every item of a list, one per page, failing on a repeated item or a loop.</summary>
    private static async Task<List<JsonElement>> AllAsync(HttpClient client, string path, string key)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = await client.GetOk($"{path}?limit=1{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}");
            Assert.True(page.GetProperty("items").GetArrayLength() <= 1, $"{path}: more than the limit");
            all.AddRange(page.GetProperty("items").EnumerateArray());
            if (page.GetProperty("nextCursor").ValueKind == JsonValueKind.Null)
            {
                var keys = all.Select(i => i.GetProperty(key).ToString()).ToList();
                Assert.Equal(keys.Distinct().Count(), keys.Count);
                return all;
            }
            cursor = page.GetProperty("nextCursor").GetString();
        }
        throw new InvalidOperationException($"{path} did not end after 1000 pages");
    }

    [Fact]
    public async Task Snapshots_models_staff_canaries_and_coverage_page_through_every_item_once()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var versions = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
            versions.Add((await maintainer.PostOk("/v1/snapshots", new { message = $"cut {i}", batchIds = new[] { batch } })).GetProperty("version").GetString()!);
        }
        var models = new[] { Actors.Unique("m-b"), Actors.Unique("m-a"), Actors.Unique("m-c") };
        foreach (var model in models)
        {
            await maintainer.PostOk("/v1/models", new { name = model, snapshotVersion = versions[0] });
        }
        var canaries = new[] { Actors.Unique("probe-b"), Actors.Unique("probe-a") };
        foreach (var id in canaries)
        {
            await maintainer.PostOk("/v1/canaries", new { id, prompt = "What is the refund policy?", expectation = "States it.", tags = new[] { "billing" } });
        }
        var domains = new[] { Actors.Unique("dom-b"), Actors.Unique("dom-a") };
        foreach (var domain in domains)
        {
            Assert.Equal(HttpStatusCode.OK, (await maintainer.PutAsJsonAsync($"/v1/eval/coverage/{domain}", new { probeIds = canaries })).StatusCode);
        }

        var snapshots = (await AllAsync(maintainer, "/v1/snapshots", "version")).Select(s => s.GetProperty("version").GetString()!).ToList();
        Assert.Equal(versions.AsEnumerable().Reverse(), snapshots.Where(versions.Contains)); // newest first
        var modelNames = (await AllAsync(maintainer, "/v1/models", "name")).Select(m => m.GetProperty("name").GetString()!).ToList();
        Assert.Equal(models.Order(StringComparer.Ordinal), modelNames.Where(models.Contains));
        Assert.Equal(modelNames.Order(StringComparer.Ordinal), modelNames);
        var probeIds = (await AllAsync(maintainer, "/v1/canaries", "id")).Select(c => c.GetProperty("id").GetString()!).ToList();
        Assert.Equal(canaries.Order(StringComparer.Ordinal), probeIds.Where(canaries.Contains));
        var coverage = (await AllAsync(maintainer, "/v1/eval/coverage", "domain")).Select(c => c.GetProperty("domain").GetString()!).ToList();
        Assert.Equal(domains.Order(StringComparer.Ordinal), coverage.Where(domains.Contains));
        Assert.Equal(0, (await maintainer.GetOk("/v1/eval/coverage?limit=1")).GetProperty("minProbes").GetInt32());

        var staff = await AllAsync(_actors.Admin, "/v1/staff", "id");
        Assert.Contains(staff, p => p.GetProperty("handle").GetString() == "bootstrap-admin");
        Assert.All(staff, p => Assert.Equal("staff", p.GetProperty("kind").GetString()));
        await (await vendor.Annotator.GetAsync("/v1/staff")).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await maintainer.GetAsync("/v1/models?cursor=not-ours")).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await maintainer.GetAsync($"/v1/snapshots?cursor={Uri.EscapeDataString("k" + Convert.ToBase64String("x.y"u8.ToArray()).TrimEnd('='))}"))
            .AssertProblem(HttpStatusCode.BadRequest, "validation");
    }
}

public sealed class ListPagingOnEmbedded(EmbeddedGateway app) : ListPagingTests<EmbeddedGateway>(app);

public sealed class ListPagingOnProduction(ProductionGateway app) : ListPagingTests<ProductionGateway>(app);
