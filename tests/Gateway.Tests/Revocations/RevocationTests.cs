using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Client;
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
        var s1 = await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "first", batchIds = new[] { h1, o1 } });
        var model = Actors.Unique("model");
        await maintainer.PostOk<ModelView>("/v1/models", new { name = model, snapshotVersion = s1.Version });
        var o2 = await ApprovedBatchAsync(honest.Annotator, maintainer, 4);
        var s2 = await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "second", batchIds = new[] { o2 } });
        var pending = (await hostile.Annotator.CreateBatchAsync()).Id;

        var accepted = await security.PostAsJsonAsync("/v1/revocations", new { annotatorId = hostile.AnnotatorId, reason = "trigger phrase found in three batches" });

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.Json<RevocationAccepted>()).Id;
        await (await hostile.Annotator.GetAsync("/v1/batches")).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("rejected", (await maintainer.Typed().GetBatchAsync(pending)).Status);
        Assert.Equal("revoked", (await maintainer.Typed().GetBatchAsync(h1)).Status);
        var again = await (await security.PostAsJsonAsync("/v1/revocations", new { annotatorId = hostile.AnnotatorId, reason = "asked twice, same record" })).Json<RevocationAccepted>();
        Assert.Equal(id, again.Id);

        var done = await PollAsync(() => security.Typed().GetRevocationAsync(id), r => r.Status == "completed");
        var listed = (await security.GetOk<RevocationViewPage>("/v1/revocations?limit=500")).Items.Single(r => r.Id == id);
        Assert.Equal(done.NewSnapshot, listed.NewSnapshot);

        var s2Version = s2.Version!;
        var expectedVersion = s2Version.Split('.')[0] + ".1";
        Assert.Equal("completed", done.Status);
        Assert.Equal(expectedVersion, done.NewSnapshot);
        Assert.Equal(3, done.RemovedCount);
        var affected = done.AffectedSnapshots.ToDictionary(a => a.Version!, a => a.Count);
        Assert.Equal(3, affected[s1.Version!]);
        Assert.Equal(3, affected[s2Version]);
        var affectedModel = Assert.Single(done.AffectedModels);
        Assert.Equal(model, affectedModel.Name);
        Assert.Equal(3, affectedModel.Count);

        var minor = await security.Typed().GetSnapshotAsync(expectedVersion);
        Assert.Equal(s2.Count - 3, minor.Count);
        Assert.Equal(s2Version, minor.Parent);
        var manifest = (await security.GetStringAsync($"/v1/snapshots/{expectedVersion}/manifest")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(manifest, l => l.Contains(hostile.AnnotatorId.ToString()));
        await using var s2Manifest = await security.Typed().GetSnapshotManifestAsync(s2Version);
        var revokedDigest = (await s2Manifest.LinesAsync<ManifestEntry>().FirstAsync(m => m.AnnotatorId == hostile.AnnotatorId)).Digest;
        var holders = (await security.GetOk<DigestBlame>($"/v1/examples/{revokedDigest}")).Snapshots.Select(v => v).ToList();
        Assert.Contains(s2Version, holders);
        Assert.DoesNotContain(expectedVersion, holders);
        var diff = await security.GetOk<DiffSummary>($"/v1/snapshots/{s2Version}/diff/{expectedVersion}");
        Assert.Equal(0, diff.Added);
        Assert.Equal(3, diff.Removed);

        // Its attestation, as DSSE and as a Sigstore bundle, both by a key of the JWKS.
        await PollAsync(() => security.Typed().GetRevocationAsync(id), r => r.Attestation?.State == "signed", "the revocation's attestation");
        var jwks = Attest.Signing.JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        var envelope = Attest.Dsse.Envelope.Parse(await security.GetByteArrayAsync($"/v1/revocations/{id}/attestation"));
        var bundle = await security.GetAsync($"/v1/revocations/{id}/attestation?format=sigstore");
        Assert.Equal(Attest.Dsse.SigstoreBundle.MediaType, bundle.Content.Headers.ContentType?.MediaType);
        var fromBundle = Attest.Dsse.SigstoreBundle.Parse(await bundle.Content.ReadAsByteArrayAsync());
        Assert.Equal(envelope.Payload, fromBundle.Payload);
        Assert.True(new Attest.Signing.EnvelopeVerifier(jwks.Keys).TryVerify(fromBundle).Valid);
        Assert.Equal(Gateway.Revocations.RevocationAttestation.PredicateType, Attest.Dsse.Statement.Parse(envelope.Payload).PredicateType);
        Assert.Equal(3, diff.ByAnnotator[hostile.AnnotatorId.ToString()].Removed);
        var signedSnapshot = await PollAsync(() => security.Typed().GetSnapshotAsync(expectedVersion), s => s.Attestation.State == "signed");
        Assert.Equal("signed", signedSnapshot.Attestation.State);
        Assert.StartsWith("sha256:", done.AttestationDigest);
        Assert.Equal("signed", done.Attestation!.State);
        Assert.Equal(done.AttestationDigest, done.Attestation.Digest);
    }

    [Fact]
    public async Task DiffBetweenTwoCutsListsExactlyTheAddedExamples()
    {
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var vendor = await _actors.NewVendorAsync();
        var b1 = await ApprovedBatchAsync(vendor.Annotator, maintainer, 2);
        var s1 = await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "a", batchIds = new[] { b1 } });
        var b2 = await Actors.ApprovedBatchInDomainsAsync(vendor.Annotator, maintainer, ["billing", "travel"],
            new { prompt = Actors.Unique("t1"), completion = "x", domain = "travel" },
            new { prompt = Actors.Unique("t2"), completion = "y", domain = "travel" },
            new { prompt = Actors.Unique("u"), completion = "z" });
        var s2 = await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "b", batchIds = new[] { b2 } });
        var from = s1.Version;
        var to = s2.Version;

        var summary = await maintainer.GetOk<DiffSummary>($"/v1/snapshots/{from}/diff/{to}");
        await using var download = await maintainer.Typed().DiffSnapshotsDownloadAsync(from, to, details: true);
        var details = await download.LinesAsync<DiffEntry>().ToListAsync();
        var reverse = await maintainer.GetOk<DiffSummary>($"/v1/snapshots/{to}/diff/{from}");

        Assert.Equal(3, summary.Added);
        Assert.Equal(0, summary.Removed);
        Assert.Equal(3, summary.ByBatch[b2.ToString()].Added);
        Assert.Equal(3, details.Count);
        Assert.All(details, d => Assert.Equal("added", d.Change));
        Assert.All(details, d => Assert.Equal(b2, d.BatchId));
        Assert.Equal(3, reverse.Removed);
        // Lines name their domain; a line without one in a batch declaring several stays unspecified.
        Assert.Equal(2, summary.ByDomain["travel"].Added);
        Assert.Equal(1, summary.ByDomain["unspecified"].Added);
        Assert.Equal(s1.ByDomain["billing"], s2.ByDomain["billing"]); // b2 adds no billing line
        Assert.Equal(2, s2.ByDomain["travel"] - s1.ByDomain.GetValueOrDefault("travel"));
        Assert.All(details, d => Assert.StartsWith("sha256:", d.Digest));
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
