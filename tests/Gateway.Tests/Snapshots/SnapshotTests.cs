using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using JsonWebKeySet = VendorGate.Attest.Signing.JsonWebKeySet;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Snapshots;

public abstract class SnapshotTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private async Task<HttpClient> MaintainerAsync() => (await _actors.NewStaffAsync("maintainer")).Client;

    private static Task<Guid> ApprovedBatchAsync(VendorActors vendor, HttpClient maintainer, params object[] examples) =>
        Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, examples);

    private static object Example(string tag) => new { prompt = Actors.Unique(tag), completion = "answer " + tag };

    private static string Canonical(object example) =>
        Encoding.UTF8.GetString(Attest.Canonical.JsonCanonicalizer.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(example)));

    [Fact]
    public async Task ACutMergesApprovedBatchesSignsTheManifestAndBlameNamesTheAnnotatorThroughAModel()
    {
        var maintainer = await MaintainerAsync();
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        var first = await _actors.NewVendorAsync();
        var second = await _actors.NewVendorAsync();
        var firstExamples = new[] { Example("a"), Example("b") };
        var secondExamples = new[] { Example("c"), Example("d"), Example("e") };
        var b1 = await ApprovedBatchAsync(first, maintainer, firstExamples);
        var b2 = await ApprovedBatchAsync(second, maintainer, secondExamples);

        var cut = await maintainer.PostAsJsonAsync("/v1/snapshots", new { message = "billing dialogues", batchIds = new[] { b1, b2 } });

        Assert.Equal(HttpStatusCode.Created, cut.StatusCode);
        var snapshot = await cut.Json<SnapshotView>();
        var version = snapshot.Version;
        var parentCount = snapshot.Parent is null ? 0
            : (await auditor.Typed().GetSnapshotAsync(snapshot.Parent)).Count;
        Assert.Equal(parentCount + 5, snapshot.Count);
        Assert.Equal(2, snapshot.AddedBatches.Count);
        var parentBilling = snapshot.Parent is null ? 0
            : (await auditor.Typed().GetSnapshotAsync(snapshot.Parent)).ByDomain["billing"];
        Assert.Equal(parentBilling + 5, snapshot.ByDomain["billing"]); // one declared domain: every line is billing
        Assert.Equal("merged", (await first.Annotator.Typed().GetBatchAsync(b1)).Status);

        // The training file: the new examples, canonical, at the end, in batch then line order.
        var content = (await auditor.GetStringAsync($"/v1/snapshots/{version}/content")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = (b1.CompareTo(b2) < 0 ? firstExamples.Concat(secondExamples) : secondExamples.Concat(firstExamples)).Select(Canonical).ToArray();
        Assert.Equal(parentCount + 5, content.Length);
        Assert.Equal(expected, content[^5..]);
        await using var download = await auditor.Typed().GetSnapshotManifestAsync(version);
        var manifest = await download.LinesAsync<ManifestEntry>().ToArrayAsync();
        Assert.Equal(content.Select(l => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(l)))),
            manifest.Select(m => m.Digest));

        // Signed: subject = the manifest digest.
        var signed = await PollAsync(() => auditor.Typed().GetSnapshotAsync(version), s => s.Attestation.State == "signed");
        var envelope = Envelope.Parse(await auditor.GetByteArrayAsync($"/v1/snapshots/{version}/attestation"));
        var jwks = JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        Assert.True(new EnvelopeVerifier(jwks.Keys).TryVerify(envelope).Valid);
        var statement = Statement.Parse(envelope.Payload);
        Assert.Equal(signed.ManifestDigest, "sha256:" + statement.Subjects[0].Sha256);
        Assert.Equal(version, statement.Predicate["version"]!.GetValue<string>());

        // "Who wrote example n of the corpus behind model m?"
        var model = Actors.Unique("model");
        await maintainer.PostOk<ModelView>("/v1/models", new { name = model, snapshotVersion = version, notes = "fine-tune" });
        var secondVendorIndex = parentCount + (b1.CompareTo(b2) < 0 ? 3 : 1);
        var viaSnapshot = await auditor.GetOk<ExampleBlame>($"/v1/snapshots/{version}/examples/{secondVendorIndex}");
        var viaModel = await auditor.GetOk<ExampleBlame>($"/v1/models/{model}/examples/{secondVendorIndex}");
        Assert.Equal(viaSnapshot.ToString(), viaModel.ToString());
        var blame = viaModel.Blame;
        Assert.Equal(second.AnnotatorId, blame.Annotator.Id);
        Assert.Equal(second.Name, blame.Vendor!.Name);
        Assert.Equal(b2, blame.Batch.Id);
        Assert.Equal(Justification, blame.Batch.Justification);
        Assert.Equal("approve", blame.Reviews[0].Decision);
        Assert.Equal(version, blame.FirstSnapshot);
        Assert.StartsWith("sha256:", blame.ApprovalDigest);
        // Whichever batch comes first, that index is the second example of the second vendor's batch.
        Assert.Equal(Canonical(secondExamples[1]), Canonical(JsonSerializer.Deserialize<object>(viaModel.Example)!));

        var byDigest = await auditor.GetOk<DigestBlame>($"/v1/examples/{viaModel.Digest}");
        Assert.Contains(version, byDigest.Snapshots.Select(s => s));
        Assert.Contains(model, byDigest.Models.Select(s => s));
        Assert.Equal(second.AnnotatorId, byDigest.Blame.Annotator.Id);
    }

    [Fact]
    public async Task AnExampleInTwoBatchesIsKeptOnceUnderItsFirstAttribution()
    {
        var maintainer = await MaintainerAsync();
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        var first = await _actors.NewVendorAsync();
        var second = await _actors.NewVendorAsync();
        var shared = Example("shared");
        var b1 = await ApprovedBatchAsync(first, maintainer, shared, Example("x"));
        var b2 = await ApprovedBatchAsync(second, maintainer, Example("y"), shared);

        var snapshot = await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "dedupe", batchIds = new[] { b1, b2 } });

        Assert.Equal(1, snapshot.DuplicatesSkipped);
        var added = snapshot.AddedBatches.ToDictionary(b => b.Id, b => b.Added);
        Assert.Equal(3, added.Values.Sum());
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(shared))));
        var blame = await auditor.GetOk<DigestBlame>($"/v1/examples/{digest}");
        var firstBatch = b1.CompareTo(b2) < 0 ? b1 : b2;
        Assert.Equal(firstBatch, blame.Blame.Batch.Id);
        var other = Assert.Single(blame.OtherContributions);
        Assert.Equal(firstBatch == b1 ? b2 : b1, other.BatchId);
        Assert.Equal(firstBatch == b1 ? 1 : 0, other.Line);
    }

    [Fact]
    public async Task ConcurrentCutsGetConsecutiveVersionsAndNoExampleTwice()
    {
        var maintainer = await MaintainerAsync();
        var vendor = await _actors.NewVendorAsync();
        var b1 = await ApprovedBatchAsync(vendor, maintainer, Example("p"));
        var b2 = await ApprovedBatchAsync(vendor, maintainer, Example("q"));

        var responses = await Task.WhenAll(
            maintainer.PostAsJsonAsync("/v1/snapshots", new { message = "one", batchIds = new[] { b1 } }),
            maintainer.PostAsJsonAsync("/v1/snapshots", new { message = "two", batchIds = new[] { b2 } }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var cuts = (await Task.WhenAll(responses.Select(r => r.Json<SnapshotView>()))).OrderBy(c => c.Count).ToArray();
        Assert.Equal(cuts[0].Version, cuts[1].Parent);
        Assert.Equal(cuts[0].Count + 1, cuts[1].Count);
        var major = int.Parse(cuts[0].Version!.Split('.')[0]);
        Assert.Equal($"{major + 1}.0", cuts[1].Version);
    }

    [Fact]
    public async Task CutsNeedAMaintainerAndSomethingApprovedAndTheCorpusIsForStaffReaders()
    {
        var vendor = await _actors.NewVendorAsync();
        var maintainer = await MaintainerAsync();
        var unapproved = (await vendor.Annotator.CreateBatchAsync()).Id;
        var (_, security) = await _actors.NewStaffAsync("security");

        var byAnnotator = await vendor.Annotator.PostAsJsonAsync("/v1/snapshots", new { message = "x" });
        var bySecurity = await security.PostAsJsonAsync("/v1/snapshots", new { message = "x" });
        var notApproved = await maintainer.PostAsJsonAsync("/v1/snapshots", new { message = "x", batchIds = new[] { unapproved } });
        var vendorReads = await vendor.Annotator.GetAsync("/v1/snapshots");
        var anonymous = await app.ClientFor(null).GetAsync("/v1/snapshots");
        var unknown = await security.GetAsync("/v1/snapshots/999.0");
        var malformed = await security.GetAsync("/v1/snapshots/latest");
        var badDigest = await security.GetAsync("/v1/examples/sha256:xyz");
        var noModel = await security.GetAsync($"/v1/models/{Actors.Unique("none")}/examples/0");
        var modelOnNothing = await maintainer.PostAsJsonAsync("/v1/models", new { name = Actors.Unique("m"), snapshotVersion = "999.0" });

        await byAnnotator.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await bySecurity.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        var problem = await notApproved.AssertProblem(HttpStatusCode.Conflict, "nothing-to-merge");
        Assert.Contains(unapproved.ToString(), problem.Detail);
        await vendorReads.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await anonymous.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        await unknown.AssertProblem(HttpStatusCode.NotFound, "not-found");
        await malformed.AssertProblem(HttpStatusCode.NotFound, "not-found");
        await badDigest.AssertProblem(HttpStatusCode.BadRequest, "bad-digest");
        await noModel.AssertProblem(HttpStatusCode.NotFound, "not-found");
        await modelOnNothing.AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.Equal(HttpStatusCode.OK, (await security.GetAsync("/v1/snapshots")).StatusCode);
    }

}

public sealed class SnapshotOnEmbedded(EmbeddedGateway app) : SnapshotTests<EmbeddedGateway>(app);

public sealed class SnapshotOnProduction(ProductionGateway app) : SnapshotTests<ProductionGateway>(app);
