using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Revocations;

public abstract class RevocationTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private static Task<Guid> ApprovedBatchAsync(HttpClient annotator, HttpClient maintainer, int examples) =>
        Actors.ApprovedBatchAsync(annotator, maintainer, Actors.Examples(examples));

    [Fact]
    public async Task RevokingAnAnnotatorStopsTheirKeysAndCutsAMinorSnapshotWithoutTheirExamples()
    {
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, security) = await _actors.NewStaffAsync("security");
        var hostile = await _actors.NewVendorAsync();
        var honest = await _actors.NewVendorAsync();
        var h1 = await ApprovedBatchAsync(hostile.Annotator, maintainer, 3);
        var o1 = await ApprovedBatchAsync(honest.Annotator, maintainer, 2);
        var s1 = await maintainer.PostOk("/v1/snapshots", new { message = "first", batchIds = new[] { h1, o1 } });
        var model = Actors.Unique("model");
        await maintainer.PostOk("/v1/models", new { name = model, snapshotVersion = s1.GetProperty("version").GetString() });
        var o2 = await ApprovedBatchAsync(honest.Annotator, maintainer, 4);
        var s2 = await maintainer.PostOk("/v1/snapshots", new { message = "second", batchIds = new[] { o2 } });
        var pending = (await hostile.Annotator.CreateBatchAsync()).GetProperty("id").GetGuid();

        var accepted = await security.PostAsJsonAsync("/v1/revocations", new { annotatorId = hostile.AnnotatorId, reason = "trigger phrase found in three batches" });

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.Json()).GetProperty("id").GetGuid();
        await (await hostile.Annotator.GetAsync("/v1/batches")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("rejected", (await maintainer.GetOk($"/v1/batches/{pending}")).GetProperty("status").GetString());
        Assert.Equal("revoked", (await maintainer.GetOk($"/v1/batches/{h1}")).GetProperty("status").GetString());
        var again = await (await security.PostAsJsonAsync("/v1/revocations", new { annotatorId = hostile.AnnotatorId, reason = "asked twice, same record" })).Json();
        Assert.Equal(id, again.GetProperty("id").GetGuid());

        var done = await PollAsync(() => security.GetOk($"/v1/revocations/{id}"), r => r.GetProperty("status").GetString() == "completed");
        var listed = (await security.GetOk("/v1/revocations?limit=500")).GetProperty("items").EnumerateArray().Single(r => r.GetProperty("id").GetGuid() == id);
        Assert.Equal(done.GetProperty("newSnapshot").GetString(), listed.GetProperty("newSnapshot").GetString());

        var s2Version = s2.GetProperty("version").GetString()!;
        var expectedVersion = s2Version.Split('.')[0] + ".1";
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(expectedVersion, done.GetProperty("newSnapshot").GetString());
        Assert.Equal(3, done.GetProperty("removedCount").GetInt64());
        var affected = done.GetProperty("affectedSnapshots").EnumerateArray().ToDictionary(a => a.GetProperty("version").GetString()!, a => a.GetProperty("count").GetInt64());
        Assert.Equal(3, affected[s1.GetProperty("version").GetString()!]);
        Assert.Equal(3, affected[s2Version]);
        var affectedModel = Assert.Single(done.GetProperty("affectedModels").EnumerateArray());
        Assert.Equal(model, affectedModel.GetProperty("name").GetString());
        Assert.Equal(3, affectedModel.GetProperty("count").GetInt64());

        var minor = await security.GetOk($"/v1/snapshots/{expectedVersion}");
        Assert.Equal(s2.GetProperty("count").GetInt64() - 3, minor.GetProperty("count").GetInt64());
        Assert.Equal(s2Version, minor.GetProperty("parent").GetString());
        var manifest = (await security.GetStringAsync($"/v1/snapshots/{expectedVersion}/manifest")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(manifest, l => l.Contains(hostile.AnnotatorId.ToString()));
        var revokedDigest = (await security.GetStringAsync($"/v1/snapshots/{s2Version}/manifest")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).First(m => m.GetProperty("annotatorId").GetGuid() == hostile.AnnotatorId).GetProperty("digest").GetString();
        var holders = (await security.GetOk($"/v1/examples/{revokedDigest}")).GetProperty("snapshots").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Contains(s2Version, holders);
        Assert.DoesNotContain(expectedVersion, holders);
        var diff = await security.GetOk($"/v1/snapshots/{s2Version}/diff/{expectedVersion}");
        Assert.Equal(0, diff.GetProperty("added").GetInt64());
        Assert.Equal(3, diff.GetProperty("removed").GetInt64());
        Assert.Equal(3, diff.GetProperty("byAnnotator").GetProperty(hostile.AnnotatorId.ToString()).GetProperty("removed").GetInt64());
        var signedSnapshot = await PollAsync(() => security.GetOk($"/v1/snapshots/{expectedVersion}"), s => s.GetProperty("attestation").GetProperty("state").GetString() == "signed");
        Assert.Equal("signed", signedSnapshot.GetProperty("attestation").GetProperty("state").GetString());
        Assert.StartsWith("sha256:", done.GetProperty("attestationDigest").GetString());
    }

    [Fact]
    public async Task DiffBetweenTwoCutsListsExactlyTheAddedExamples()
    {
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var vendor = await _actors.NewVendorAsync();
        var b1 = await ApprovedBatchAsync(vendor.Annotator, maintainer, 2);
        var s1 = await maintainer.PostOk("/v1/snapshots", new { message = "a", batchIds = new[] { b1 } });
        var b2 = await Actors.ApprovedBatchInDomainsAsync(vendor.Annotator, maintainer, ["billing", "travel"],
            new { prompt = Actors.Unique("t1"), completion = "x", domain = "travel" },
            new { prompt = Actors.Unique("t2"), completion = "y", domain = "travel" },
            new { prompt = Actors.Unique("u"), completion = "z" });
        var s2 = await maintainer.PostOk("/v1/snapshots", new { message = "b", batchIds = new[] { b2 } });
        var from = s1.GetProperty("version").GetString();
        var to = s2.GetProperty("version").GetString();

        var summary = await maintainer.GetOk($"/v1/snapshots/{from}/diff/{to}");
        var details = (await maintainer.GetStringAsync($"/v1/snapshots/{from}/diff/{to}?details=true"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var reverse = await maintainer.GetOk($"/v1/snapshots/{to}/diff/{from}");

        Assert.Equal(3, summary.GetProperty("added").GetInt64());
        Assert.Equal(0, summary.GetProperty("removed").GetInt64());
        Assert.Equal(3, summary.GetProperty("byBatch").GetProperty(b2.ToString()).GetProperty("added").GetInt64());
        Assert.Equal(3, details.Count);
        Assert.All(details, d => Assert.Equal("added", d.GetProperty("change").GetString()));
        Assert.All(details, d => Assert.Equal(b2, d.GetProperty("batchId").GetGuid()));
        Assert.Equal(3, reverse.GetProperty("removed").GetInt64());
        // Lines name their domain; a line without one in a batch declaring several stays unspecified.
        Assert.Equal(2, summary.GetProperty("byDomain").GetProperty("travel").GetProperty("added").GetInt64());
        Assert.Equal(1, summary.GetProperty("byDomain").GetProperty("unspecified").GetProperty("added").GetInt64());
        Assert.Equal(s1.GetProperty("byDomain").GetProperty("billing").GetInt64(), s2.GetProperty("byDomain").GetProperty("billing").GetInt64()); // b2 adds no billing line
        Assert.Equal(2, s2.GetProperty("byDomain").GetProperty("travel").GetInt64() - (s1.GetProperty("byDomain").TryGetProperty("travel", out var t) ? t.GetInt64() : 0));
        Assert.Contains(details, d => d.GetProperty("digest").GetString() is not null);
        await (await maintainer.GetAsync($"/v1/snapshots/{from}/diff/999.0")).AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task OnlySecurityRevokesAndAReasonIsRequired()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, security) = await _actors.NewStaffAsync("security");

        var byMaintainer = await maintainer.PostAsJsonAsync("/v1/revocations", new { annotatorId = vendor.AnnotatorId, reason = "a good reason here" });
        var byAnnotator = await vendor.Annotator.PostAsJsonAsync("/v1/revocations", new { annotatorId = vendor.AnnotatorId, reason = "a good reason here" });
        var both = await security.PostAsJsonAsync("/v1/revocations", new { annotatorId = vendor.AnnotatorId, batchId = Guid.NewGuid(), reason = "a good reason here" });
        var noReason = await security.PostAsJsonAsync("/v1/revocations", new { annotatorId = vendor.AnnotatorId, reason = "" });
        var unknown = await security.PostAsJsonAsync("/v1/revocations", new { annotatorId = Guid.NewGuid(), reason = "a good reason here" });

        await byMaintainer.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await byAnnotator.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await both.AssertProblem(HttpStatusCode.BadRequest, "validation");
        await noReason.AssertProblem(HttpStatusCode.BadRequest, "validation");
        await unknown.AssertProblem(HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.OK, (await vendor.Annotator.GetAsync("/v1/batches")).StatusCode);
    }

}

public sealed class RevocationOnEmbedded(EmbeddedGateway app) : RevocationTests<EmbeddedGateway>(app);

public sealed class RevocationOnProduction(ProductionGateway app) : RevocationTests<ProductionGateway>(app);
