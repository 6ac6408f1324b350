using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Tests.Infrastructure;
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
        var snapshot = await cut.Json();
        var version = snapshot.GetProperty("version").GetString()!;
        var parentCount = snapshot.GetProperty("parent").ValueKind == JsonValueKind.Null ? 0
            : (await auditor.GetOk($"/v1/snapshots/{snapshot.GetProperty("parent").GetString()}")).GetProperty("count").GetInt64();
        Assert.Equal(parentCount + 5, snapshot.GetProperty("count").GetInt64());
        Assert.Equal(2, snapshot.GetProperty("addedBatches").GetArrayLength());
        var parentBilling = snapshot.GetProperty("parent").ValueKind == JsonValueKind.Null ? 0
            : (await auditor.GetOk($"/v1/snapshots/{snapshot.GetProperty("parent").GetString()}")).GetProperty("byDomain").GetProperty("billing").GetInt64();
        Assert.Equal(parentBilling + 5, snapshot.GetProperty("byDomain").GetProperty("billing").GetInt64()); // one declared domain: every line is billing
        Assert.Equal("merged", (await first.Annotator.GetOk($"/v1/batches/{b1}")).GetProperty("status").GetString());

        // The training file: the new examples, canonical, at the end, in batch then line order.
        var content = (await auditor.GetStringAsync($"/v1/snapshots/{version}/content")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = (b1.CompareTo(b2) < 0 ? firstExamples.Concat(secondExamples) : secondExamples.Concat(firstExamples)).Select(Canonical).ToArray();
        Assert.Equal(parentCount + 5, content.Length);
        Assert.Equal(expected, content[^5..]);
        var manifest = (await auditor.GetStringAsync($"/v1/snapshots/{version}/manifest")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(content.Select(l => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(l)))),
            manifest.Select(m => m.GetProperty("digest").GetString()));

        // Signed: subject = the manifest digest.
        var signed = await PollAsync(() => auditor.GetOk($"/v1/snapshots/{version}"), s => s.GetProperty("attestation").GetProperty("state").GetString() == "signed");
        var envelope = Envelope.Parse(await auditor.GetByteArrayAsync($"/v1/snapshots/{version}/attestation"));
        var jwks = JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        Assert.True(new EnvelopeVerifier(jwks.Keys).TryVerify(envelope).Valid);
        var statement = Statement.Parse(envelope.Payload);
        Assert.Equal(signed.GetProperty("manifestDigest").GetString(), "sha256:" + statement.Subjects[0].Sha256);
        Assert.Equal(version, statement.Predicate["version"]!.GetValue<string>());

        // "Who wrote example n of the corpus behind model m?"
        var model = Actors.Unique("model");
        await maintainer.PostOk("/v1/models", new { name = model, snapshotVersion = version, notes = "fine-tune" });
        var secondVendorIndex = parentCount + (b1.CompareTo(b2) < 0 ? 3 : 1);
        var viaSnapshot = await auditor.GetOk($"/v1/snapshots/{version}/examples/{secondVendorIndex}");
        var viaModel = await auditor.GetOk($"/v1/models/{model}/examples/{secondVendorIndex}");
        Assert.Equal(viaSnapshot.ToString(), viaModel.ToString());
        var blame = viaModel.GetProperty("blame");
        Assert.Equal(second.AnnotatorId, blame.GetProperty("annotator").GetProperty("id").GetGuid());
        Assert.Equal(second.Name, blame.GetProperty("vendor").GetProperty("name").GetString());
        Assert.Equal(b2, blame.GetProperty("batch").GetProperty("id").GetGuid());
        Assert.Equal(Justification, blame.GetProperty("batch").GetProperty("justification").GetString());
        Assert.Equal("approve", blame.GetProperty("reviews")[0].GetProperty("decision").GetString());
        Assert.Equal(version, blame.GetProperty("firstSnapshot").GetString());
        Assert.StartsWith("sha256:", blame.GetProperty("approvalDigest").GetString());
        // Whichever batch comes first, that index is the second example of the second vendor's batch.
        Assert.Equal(Canonical(secondExamples[1]), Canonical(JsonSerializer.Deserialize<object>(viaModel.GetProperty("example"))!));

        var byDigest = await auditor.GetOk($"/v1/examples/{viaModel.GetProperty("digest").GetString()}");
        Assert.Contains(version, byDigest.GetProperty("snapshots").EnumerateArray().Select(s => s.GetString()));
        Assert.Contains(model, byDigest.GetProperty("models").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(second.AnnotatorId, byDigest.GetProperty("blame").GetProperty("annotator").GetProperty("id").GetGuid());
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

        var snapshot = await maintainer.PostOk("/v1/snapshots", new { message = "dedupe", batchIds = new[] { b1, b2 } });

        Assert.Equal(1, snapshot.GetProperty("duplicatesSkipped").GetInt64());
        var added = snapshot.GetProperty("addedBatches").EnumerateArray().ToDictionary(b => b.GetProperty("id").GetGuid(), b => b.GetProperty("added").GetInt64());
        Assert.Equal(3, added.Values.Sum());
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(shared))));
        var blame = await auditor.GetOk($"/v1/examples/{digest}");
        var firstBatch = b1.CompareTo(b2) < 0 ? b1 : b2;
        Assert.Equal(firstBatch, blame.GetProperty("blame").GetProperty("batch").GetProperty("id").GetGuid());
        var other = Assert.Single(blame.GetProperty("otherContributions").EnumerateArray());
        Assert.Equal(firstBatch == b1 ? b2 : b1, other.GetProperty("batchId").GetGuid());
        Assert.Equal(firstBatch == b1 ? 1 : 0, other.GetProperty("line").GetInt32());
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
        var cuts = (await Task.WhenAll(responses.Select(r => r.Json()))).OrderBy(c => c.GetProperty("count").GetInt64()).ToArray();
        Assert.Equal(cuts[0].GetProperty("version").GetString(), cuts[1].GetProperty("parent").GetString());
        Assert.Equal(cuts[0].GetProperty("count").GetInt64() + 1, cuts[1].GetProperty("count").GetInt64());
        var major = int.Parse(cuts[0].GetProperty("version").GetString()!.Split('.')[0]);
        Assert.Equal($"{major + 1}.0", cuts[1].GetProperty("version").GetString());
    }

    [Fact]
    public async Task CutsNeedAMaintainerAndSomethingApprovedAndTheCorpusIsForStaffReaders()
    {
        var vendor = await _actors.NewVendorAsync();
        var maintainer = await MaintainerAsync();
        var unapproved = (await vendor.Annotator.CreateBatchAsync()).GetProperty("id").GetGuid();
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
        Assert.Contains(unapproved.ToString(), problem.GetProperty("detail").GetString());
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
