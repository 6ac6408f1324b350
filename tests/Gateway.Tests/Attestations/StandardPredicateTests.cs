using System.Net;
using System.Text.Json.Nodes;
using VendorGate.Attest.Dsse;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Attestations;

/// <summary>Beside each VendorGate statement, the same fact in a standard predicate, signed by the same job: the cut as
/// SLSA Provenance v1, the approval as an SLSA Verification Summary, the canary gate as an in-toto Test Result. Each
/// verifies with the JWKS (vendorgate-verify) and names what the VendorGate statement names.</summary>
public abstract class StandardPredicateTests<TApp>(TApp app) : IClassFixture<TApp>, IDisposable where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);
    private readonly ScratchDirectory _files = new("vg-predicates-");

    public void Dispose() => _files.Dispose();

    /// <summary>The envelope at <paramref name="path"/>, checked by vendorgate-verify against the JWKS; its statement.</summary>
    private async Task<JsonNode> VerifiedStatementAsync(HttpClient client, string path)
    {
        var keys = await _files.KeysAsync(app);
        var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var file = _files.Save(Guid.NewGuid().ToString("N") + ".json", bytes);
        var verified = VerifyCli.Run("envelope", file, "--keys", keys);
        Assert.True(verified.Code == 0, $"{path}: {verified.Output}");
        if (SigstoreBundle.IsBundle(bytes))
        {
            var byJs = SigstoreJs.VerifyWithJwks(file, File.ReadAllBytes(keys));
            Assert.True(byJs.Code == 0, $"{path}: {byJs.Output}");
        }
        var payload = SigstoreBundle.IsBundle(bytes) ? SigstoreBundle.Parse(bytes).Payload : Envelope.Parse(bytes).Payload;
        return JsonNode.Parse(payload)!;
    }

    private static string Sha256(string digest) => digest["sha256:".Length..];

    [Fact]
    public async Task A_cut_is_SLSA_provenance_naming_its_parent_and_each_batch_by_digest()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var first = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
        var parent = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "first", batchIds = new[] { first } })).Version;
        var second = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(3));
        var version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "second", batchIds = new[] { second } })).Version;
        var snapshot = await PollAsync(() => maintainer.Typed().GetSnapshotAsync(version), s => s.Attestation.State == "signed", $"snapshot {version} to be signed");
        var parentSnapshot = await maintainer.Typed().GetSnapshotAsync(parent);
        var batch = await maintainer.Typed().GetBatchAsync(second);

        foreach (var format in new[] { "dsse", "sigstore" })
        {
            var provenance = await VerifiedStatementAsync(maintainer, $"/v1/snapshots/{version}/attestation?kind=provenance&format={format}");
            var own = await VerifiedStatementAsync(maintainer, $"/v1/snapshots/{version}/attestation");
            Assert.Equal("https://slsa.dev/provenance/v1", provenance["predicateType"]!.GetValue<string>());
            Assert.Equal(own["subject"]!.ToJsonString(), provenance["subject"]!.ToJsonString());
            var definition = provenance["predicate"]!["buildDefinition"]!;
            Assert.Equal("https://vendorgate.dev/snapshot-cut/v1", definition["buildType"]!.GetValue<string>());
            Assert.Equal("second", definition["externalParameters"]!["message"]!.GetValue<string>());
            Assert.Equal([second.ToString()], definition["externalParameters"]!["batchIds"]!.AsArray().Select(b => b!.GetValue<string>()));
            var dependencies = definition["resolvedDependencies"]!.AsArray().ToDictionary(d => d!["uri"]!.GetValue<string>(), d => d!);
            Assert.Equal(Sha256(parentSnapshot.ManifestDigest), dependencies[$"vendorgate:snapshot:{parent}"]["digest"]!["sha256"]!.GetValue<string>());
            Assert.Equal(Sha256(batch.Digest!), dependencies[$"vendorgate:batch:{second}"]["digest"]!["sha256"]!.GetValue<string>());
            Assert.Equal(batch.Approval!.Digest, dependencies[$"vendorgate:batch:{second}"]["annotations"]!["approvalAttestation"]!.GetValue<string>());
            Assert.Equal(2, dependencies.Count);
            Assert.Equal("https://vendorgate.dev/gateway/v1", provenance["predicate"]!["runDetails"]!["builder"]!["id"]!.GetValue<string>());
        }
        Assert.Equal("signed", snapshot.Attestation.State);
        await (await maintainer.GetAsync($"/v1/snapshots/{version}/attestation?kind=slsa")).AssertProblem(HttpStatusCode.BadRequest, "bad-kind");
    }

    [Fact]
    public async Task An_approval_is_a_verification_summary_that_passed_reading_the_receipt()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var id = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
        var batch = await maintainer.Typed().GetBatchAsync(id);

        var summary = await VerifiedStatementAsync(vendor.Annotator, $"/v1/batches/{id}/attestation?kind=verification-summary");
        Assert.Equal("https://slsa.dev/verification_summary/v1", summary["predicateType"]!.GetValue<string>());
        Assert.Equal(Sha256(batch.Digest!), summary["subject"]![0]!["digest"]!["sha256"]!.GetValue<string>());
        var predicate = summary["predicate"]!;
        Assert.Equal("PASSED", predicate["verificationResult"]!.GetValue<string>());
        Assert.Equal($"vendorgate:batch:{id}", predicate["resourceUri"]!.GetValue<string>());
        Assert.Equal("https://vendorgate.dev/policies/batch-approval/v1", predicate["policy"]!["uri"]!.GetValue<string>());
        Assert.Equal(Sha256(batch.Attestation!.Digest!), predicate["inputAttestations"]![0]!["digest"]!["sha256"]!.GetValue<string>());
        Assert.Contains("VENDORGATE_REVIEWED_V1", predicate["verifiedLevels"]!.AsArray().Select(l => l!.GetValue<string>()));

        // Not approved yet: nothing to summarise.
        var open = (await vendor.Annotator.CreateBatchAsync()).Id;
        await (await vendor.Annotator.GetAsync($"/v1/batches/{open}/attestation?kind=verification-summary")).AssertProblem(HttpStatusCode.Conflict, "attestation-pending");
    }

    [Fact]
    public async Task A_canary_gate_is_a_test_result_with_the_gates_verdict_and_the_statement_it_judged()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, harness) = await _actors.NewStaffAsync("eval-harness");
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
        var version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "gated", batchIds = new[] { batch } })).Version;
        var model = Actors.Unique("model");
        await maintainer.PostOk<ModelView>("/v1/models", new { name = model, snapshotVersion = version });
        var probe = Actors.Unique("probe");
        await maintainer.PostOk<CanaryView>("/v1/canaries", new { id = probe, prompt = "Probe.", expectation = "Behaves.", tags = new[] { "gated" } });
        await harness.PostOk<RecordedResults>($"/v1/models/{model}/canary-results", new { results = new[] { new { probeId = probe, passed = true } } });
        var gate = await PollAsync(() => maintainer.Typed().GetModelGateAsync(model), g => g.Attestation.State == "signed", "the gate's signature");

        var result = await VerifiedStatementAsync(maintainer, $"/v1/models/{model}/gate/attestation?kind=test-result");
        var own = await VerifiedStatementAsync(maintainer, $"/v1/models/{model}/gate/attestation");
        Assert.Equal("https://in-toto.io/attestation/test-result/v0.1", result["predicateType"]!.GetValue<string>());
        Assert.Equal(own["subject"]!.ToJsonString(), result["subject"]!.ToJsonString());
        var predicate = result["predicate"]!;
        Assert.Equal(gate.Passed ? "PASSED" : "FAILED", predicate["result"]!.GetValue<string>());
        Assert.Equal(Sha256(gate.StatementDigest), predicate["configuration"]![0]!["digest"]!["sha256"]!.GetValue<string>());
        Assert.Contains(probe, predicate["passedTests"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.DoesNotContain(probe, predicate["failedTests"]!.AsArray().Select(t => t!.GetValue<string>()));
        await (await maintainer.GetAsync($"/v1/models/{model}/gate/attestation?kind=vsa")).AssertProblem(HttpStatusCode.BadRequest, "bad-kind");
    }
}

public sealed class StandardPredicatesOnEmbedded(EmbeddedGateway app) : StandardPredicateTests<EmbeddedGateway>(app);

public sealed class StandardPredicatesOnProduction(ProductionGateway app) : StandardPredicateTests<ProductionGateway>(app);
