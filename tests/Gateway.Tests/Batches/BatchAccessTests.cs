using System.Net;
using System.Net.Http.Json;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Batches;

public abstract class BatchAccessTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task AnotherVendorsBatchIsNotFound()
    {
        var owner = await _actors.NewVendorAsync();
        var stranger = await _actors.NewVendorAsync();
        var id = (await owner.Annotator.CreateBatchAsync()).Id;
        await owner.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }));

        var get = await stranger.Annotator.GetAsync($"/v1/batches/{id}");
        var put = await stranger.Annotator.UploadAsync(id, Lines(new { prompt = "p", completion = "c" }));
        var examples = await stranger.Annotator.GetAsync($"/v1/batches/{id}/examples");
        var list = await stranger.Annotator.GetOk<BatchViewPage>($"/v1/batches?vendorId={owner.VendorId}");

        await get.AssertProblem(HttpStatusCode.NotFound, "not-found");
        await put.AssertProblem(HttpStatusCode.NotFound, "not-found");
        await examples.AssertProblem(HttpStatusCode.NotFound, "not-found");
        Assert.Empty(list.Items);
    }

    [Fact]
    public async Task ShortJustificationAndBadLicenceAreValidationProblems()
    {
        var vendor = await _actors.NewVendorAsync();

        var response = await vendor.Annotator.PostAsJsonAsync("/v1/batches", new
        {
            justification = "too short", license = "MIT AND (Apache-2.0", source = "vendor", declaredDomains = new[] { "Billing!" },
        });

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "validation");
        var errors = problem.Errors!;
        Assert.Contains("20 characters", errors["Justification"][0]);
        Assert.Contains("not closed", errors["License"][0]);
        Assert.True(errors.ContainsKey("DeclaredDomains[0]"), Canonical(errors));
    }

    [Theory]
    [InlineData("MIT", true)]
    [InlineData("Apache-2.0 OR (MIT AND BSD-3-Clause)", true)]
    [InlineData("GPL-2.0+ WITH Classpath-exception-2.0", true)]
    [InlineData("LicenseRef-acme-internal", true)]
    [InlineData("MIT OR", false)]
    [InlineData("MIT BSD", false)]
    [InlineData("NOASSERTION", false)]
    [InlineData("MIT/Apache", false)]
    public async Task LicenceExpressionSyntaxIsChecked(string license, bool accepted)
    {
        var vendor = await _actors.NewVendorAsync();

        var response = await vendor.Annotator.PostAsJsonAsync("/v1/batches", new
        {
            justification = Justification, license, source = "vendor", declaredDomains = new[] { "billing" },
        });

        if (accepted)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        else
        {
            var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "validation");
            Assert.True(problem.Errors!.ContainsKey("License"));
        }
    }

    [Fact]
    public async Task VendorPrincipalsUploadOnlyWithSourceVendor()
    {
        var vendor = await _actors.NewVendorAsync();

        var response = await vendor.Annotator.PostAsJsonAsync("/v1/batches", new
        {
            justification = Justification, license = "MIT", source = "internal", declaredDomains = new[] { "billing" },
        });

        var problem = await response.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("source 'vendor'", problem.Detail);
    }

    [Fact]
    public async Task SyntheticBatchFromAContributorRecordsItsGenerator()
    {
        var (_, contributor) = await _actors.NewStaffAsync("contributor");
        var generator = new { model = "gen-model-7b", promptTemplateDigest = "sha256:" + new string('a', 64), seed = 42 };

        var created = await contributor.PostOk<BatchView>("/v1/batches", new
        {
            justification = Justification, license = "LicenseRef-internal", source = "synthetic", declaredDomains = new[] { "billing" }, generator,
        });
        var missing = await contributor.PostAsJsonAsync("/v1/batches", new
        {
            justification = Justification, license = "MIT", source = "synthetic", declaredDomains = new[] { "billing" },
        });

        Assert.Equal("gen-model-7b", created.Generator!.Model);
        Assert.Equal(42, created.Generator.Seed);
        Assert.Null(created.VendorId);
        await missing.AssertProblem(HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task RetriedCreateWithTheSameIdempotencyKeyReturnsTheSameBatch()
    {
        var vendor = await _actors.NewVendorAsync();
        var key = Actors.Unique("idem");

        var first = await vendor.Annotator.CreateBatchAsync(idempotencyKey: key);
        var retry = await vendor.Annotator.PostAsJsonAsync("/v1/batches", new
        {
            justification = Justification, license = "CC-BY-4.0", source = "vendor", declaredDomains = new[] { "billing" }, idempotencyKey = key,
        });
        var different = await vendor.Annotator.PostAsJsonAsync("/v1/batches", new
        {
            justification = Justification, license = "MIT", source = "vendor", declaredDomains = new[] { "billing" }, idempotencyKey = key,
        });

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(first.Id, (await retry.Json<BatchView>()).Id);
        await different.AssertProblem(HttpStatusCode.Conflict, "idempotency-key-reused");
        var all = await vendor.Annotator.GetOk<BatchViewPage>("/v1/batches");
        Assert.Single(all.Items);
    }

    [Fact]
    public async Task ListIsScopedFilteredAndPaged()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, colleague) = await _actors.NewAnnotatorAsync(vendor.VendorId);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await vendor.Annotator.CreateBatchAsync()).Id);
        }
        await colleague.CreateBatchAsync();
        await vendor.Annotator.UploadAsync(ids[0], Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");

        var page1 = await vendor.Annotator.GetOk<BatchViewPage>("/v1/batches?limit=2");
        var page2 = await vendor.Annotator.GetOk<BatchViewPage>($"/v1/batches?limit=2&cursor={page1.NextCursor}");
        var open = await vendor.Annotator.GetOk<BatchViewPage>("/v1/batches?status=open");
        var staffView = await maintainer.GetOk<BatchViewPage>($"/v1/batches?vendorId={vendor.VendorId}&limit=100");
        var badStatus = await vendor.Annotator.GetAsync("/v1/batches?status=pending");

        var paged = page1.Items.Concat(page2.Items)
            .Select(b => b.Id).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse(), paged); // newest first; the colleague's batch is not the annotator's
        Assert.Null(page2.NextCursor);
        Assert.Equal(2, open.Items.Count);
        Assert.Equal(4, staffView.Items.Count);
        await badStatus.AssertProblem(HttpStatusCode.BadRequest, "bad-status");
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}

public sealed class BatchAccessOnEmbedded(EmbeddedGateway app) : BatchAccessTests<EmbeddedGateway>(app);

public sealed class BatchAccessOnProduction(ProductionGateway app) : BatchAccessTests<ProductionGateway>(app);
