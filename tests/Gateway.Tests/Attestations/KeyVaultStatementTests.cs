using System.Net.Http.Json;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using JsonWebKeySet = VendorGate.Attest.Signing.JsonWebKeySet;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Attestations;

/// <summary>Revocations and model gates are signed by the same attest job as receipts: while the vault is down they wait
/// with the reason, and they are signed when it returns.</summary>
public sealed class KeyVaultStatementTests(OwnVaultProductionGateway app) : IClassFixture<OwnVaultProductionGateway>
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task While_the_vault_is_down_a_revocation_and_a_gate_wait_with_the_reason_then_get_signed()
    {
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, security) = await _actors.NewStaffAsync("security");
        var (_, harness) = await _actors.NewStaffAsync("eval-harness");
        var vendor = await _actors.NewVendorAsync();
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
        var version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "before the outage", batchIds = new[] { batch } })).Version!;
        var model = Actors.Unique("model");
        await maintainer.PostOk<ModelView>("/v1/models", new { name = model, snapshotVersion = version });
        var probe = Actors.Unique("probe");
        await maintainer.PostOk<CanaryView>("/v1/canaries", new { id = probe, prompt = "Probe.", expectation = "Behaves.", tags = new[] { "outage" } });
        await harness.PostOk<RecordedResults>($"/v1/models/{model}/canary-results", new { results = new[] { new { probeId = probe, passed = true } } });

        app.Vault.Down = true;
        Guid revocation;
        GateView gate;
        try
        {
            revocation = (await (await security.PostAsJsonAsync("/v1/revocations", new { batchId = batch, reason = "revoked while the vault is down" }))
                .Json<RevocationAccepted>()).Id;
            var waiting = await PollAsync(() => security.Typed().GetRevocationAsync(revocation), r => r.Attestation?.Error is not null, "the signing error");
            Assert.Equal("pending", waiting.Status);
            Assert.Equal("pending", waiting.Attestation!.State);
            Assert.Contains("503", waiting.Attestation.Error);
            Assert.Null(waiting.CompletedAt);

            gate = await maintainer.Typed().GetModelGateAsync(model);
            Assert.Equal("pending", gate.Attestation.State);
            Assert.Contains("503", gate.Attestation.Error);
            Assert.Null(gate.Attestation.Digest);
        }
        finally
        {
            app.Vault.Down = false;
        }

        var completed = await PollAsync(() => security.Typed().GetRevocationAsync(revocation), r => r.Status == "completed", "the revocation to complete");
        Assert.Equal("signed", completed.Attestation!.State);
        Assert.Null(completed.Attestation.Error);
        Assert.StartsWith("sha256:", completed.AttestationDigest);
        var signedGate = await PollAsync(() => maintainer.Typed().GetModelGateAsync(model), g => g.Attestation.State == "signed", "the gate's signature");
        Assert.Equal(gate.StatementDigest, signedGate.StatementDigest);
        var envelope = Envelope.Parse(await maintainer.GetByteArrayAsync($"/v1/models/{model}/gate/attestation"));
        var jwks = JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        Assert.True(new EnvelopeVerifier(jwks.Keys).TryVerify(envelope).Valid);
        Assert.Equal($"model:{model}", Statement.Parse(envelope.Payload).Subjects[0].Name);
        // The gate as a Sigstore bundle, signed in the vault: the same statement, the same key.
        var bundle = SigstoreBundle.Parse(await maintainer.GetByteArrayAsync($"/v1/models/{model}/gate/attestation?format=sigstore"));
        Assert.Equal(envelope.Payload, bundle.Payload);
        Assert.True(new EnvelopeVerifier(jwks.Keys).TryVerify(bundle).Valid);
    }

    [Fact]
    public async Task A_request_that_needs_a_signature_while_the_vault_is_down_is_a_503_with_retry_after_and_works_when_it_returns()
    {
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        var (_, procurement) = await _actors.NewStaffAsync("procurement");
        var vendor = await _actors.NewVendorAsync();
        app.Vault.Down = true;
        try
        {
            // The current key is cached; signing itself needs the vault.
            var checkpoint = await auditor.GetAsync("/v1/audit/checkpoint");
            var problem = await checkpoint.AssertProblem(System.Net.HttpStatusCode.ServiceUnavailable, "signer-unavailable");
            Assert.Contains("503", problem.Detail);
            Assert.Equal(TimeSpan.FromSeconds(1), checkpoint.Headers.RetryAfter?.Delta);
            await (await procurement.GetAsync($"/v1/vendors/{vendor.VendorId}/report.pdf")).AssertProblem(System.Net.HttpStatusCode.ServiceUnavailable, "signer-unavailable");
        }
        finally
        {
            app.Vault.Down = false;
        }

        var note = await auditor.GetStringAsync("/v1/audit/checkpoint");
        Assert.Contains("\n\n", note); // a signed note: body, blank line, signature
    }

    [Fact]
    public async Task Nothing_leaves_about_a_snapshot_before_it_is_signed_and_an_AI_BOM_waits_for_the_vault()
    {
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var vendor = await _actors.NewVendorAsync();
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2));
        string version;
        app.Vault.Down = true;
        try
        {
            version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "cut while the vault is down", batchIds = new[] { batch } })).Version;
            await (await maintainer.PostAsJsonAsync($"/v1/snapshots/{version}/exports", new { format = "parquet" }))
                .AssertProblem(System.Net.HttpStatusCode.Conflict, "attestation-pending");
            await (await maintainer.GetAsync($"/v1/snapshots/{version}/bom")).AssertProblem(System.Net.HttpStatusCode.Conflict, "attestation-pending");
        }
        finally
        {
            app.Vault.Down = false;
        }
        await PollAsync(() => maintainer.Typed().GetSnapshotAsync(version), s => s.Attestation.State == "signed", $"snapshot {version} to be signed");

        // Signed: a BOM is made and signed at once, so with the vault down again it is a 503 to retry, then it works.
        app.Vault.Down = true;
        try
        {
            await (await maintainer.GetAsync($"/v1/snapshots/{version}/bom")).AssertProblem(System.Net.HttpStatusCode.ServiceUnavailable, "signer-unavailable");
        }
        finally
        {
            app.Vault.Down = false;
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, (await maintainer.GetAsync($"/v1/snapshots/{version}/bom")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await maintainer.PostAsJsonAsync($"/v1/snapshots/{version}/exports", new { format = "parquet" })).StatusCode);
    }
}
