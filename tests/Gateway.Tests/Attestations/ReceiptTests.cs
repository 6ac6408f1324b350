using System.Net;
using System.Text;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using VendorGate.TestSupport;
using JsonWebKeySet = VendorGate.Attest.Signing.JsonWebKeySet;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Attestations;

public abstract class ReceiptTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task EveryReceivedBatchGetsAReceiptThatVerifiesWithTheJwksAndOpenSsl()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        var receipt = await (await vendor.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }, new { prompt = Actors.Unique("q"), completion = "d" }))).Json<UploadReceipt>();

        var batch = await vendor.Annotator.WaitForAttestationAsync(id);
        var response = await vendor.Annotator.GetAsync($"/v1/batches/{id}/attestation");
        var envelopeBytes = await response.Content.ReadAsByteArrayAsync();
        var jwks = JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));

        var attestation = batch.Attestation!;
        Assert.Equal("signed", attestation.State);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(envelopeBytes)), attestation.Digest);
        var envelope = Envelope.Parse(envelopeBytes);
        Assert.Equal(Envelope.InTotoPayloadType, envelope.PayloadType);
        var result = new EnvelopeVerifier(jwks.Keys).Verify(envelope);
        Assert.Equal([attestation.KeyId!], result.VerifiedKeyIds);

        var statement = Statement.Parse(envelope.Payload);
        Assert.Equal($"batch:{id}", statement.Subjects[0].Name);
        Assert.Equal(receipt.Digest, "sha256:" + statement.Subjects[0].Sha256);
        Assert.Equal("https://vendorgate.dev/attestations/batch-receipt/v1", statement.PredicateType);
        Assert.Equal(vendor.AnnotatorId.ToString(), statement.Predicate["submitter"]!["id"]!.GetValue<string>());
        Assert.Equal(vendor.Name, statement.Predicate["vendor"]!["name"]!.GetValue<string>());
        Assert.Equal(2, statement.Predicate["count"]!.GetValue<long>());
        Assert.Equal("CC-BY-4.0", statement.Predicate["license"]!.GetValue<string>());
        Assert.Equal(Justification, statement.Predicate["justification"]!.GetValue<string>());
        Assert.Equal(result.VerifiedKeyIds[0], statement.Predicate["gateway"]!["keyId"]!.GetValue<string>());

        var key = jwks.Keys.Single(k => k.Kid == result.VerifiedKeyIds[0]);
        var (verified, output) = OpenSsl.Verify(key.ToPem(), envelope.PreAuthenticationEncoding(), OpenSsl.ToDer(envelope.Signatures[0].Signature));
        Assert.True(verified, output);
    }

    [Fact]
    public async Task AttestationOfAnOpenBatchIsAConflictAndAnotherVendorsIsNotFound()
    {
        var owner = await _actors.NewVendorAsync();
        var stranger = await _actors.NewVendorAsync();
        var id = (await owner.Annotator.CreateBatchAsync()).Id;

        var open = await owner.Annotator.GetAsync($"/v1/batches/{id}/attestation");
        await owner.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
        await owner.Annotator.WaitForAttestationAsync(id);
        var foreign = await stranger.Annotator.GetAsync($"/v1/batches/{id}/attestation");

        await open.AssertProblem(HttpStatusCode.Conflict, "attestation-pending");
        await (await owner.Annotator.GetAsync($"/v1/batches/{id}/attestation?kind=everything")).AssertProblem(HttpStatusCode.BadRequest, "bad-kind");
        await foreign.AssertProblem(HttpStatusCode.NotFound, "not-found");
        var ready = await app.ClientFor(null).GetOk<HealthStatus>("/readyz");
        Assert.Equal("ok", ready.Checks["signer"]);
    }
}

public sealed class ReceiptOnEmbedded(EmbeddedGateway app) : ReceiptTests<EmbeddedGateway>(app);

public sealed class ReceiptOnProduction(ProductionGateway app) : ReceiptTests<ProductionGateway>(app);

/// <summary>What only the Key Vault signer has: outages and key rotation.</summary>
public sealed class KeyVaultReceiptTests(OwnVaultProductionGateway app) : IClassFixture<OwnVaultProductionGateway>
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task WhileTheVaultIsDownUploadsSucceedAndReceiptsWaitThenGetSignedWhenItReturns()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        app.Vault.Down = true;
        Guid id;
        try
        {
            id = (await vendor.Annotator.CreateBatchAsync()).Id;
            var upload = await vendor.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);

            var batch = await PollAsync(() => vendor.Annotator.Typed().GetBatchAsync(id), b => b.Attestation?.Error is not null, "the signing error");
            var attestation = batch.Attestation!;
            Assert.Equal("pending", attestation.State);
            Assert.Contains("503", attestation.Error);
            Assert.Equal("in-review", (await vendor.Annotator.WaitForScanAsync(id)).Status);
            var notReady = await app.ClientFor(null).GetAsync("/readyz");
            var problem = await notReady.AssertProblem(HttpStatusCode.ServiceUnavailable, "not-ready");
            Assert.Equal("unreachable", problem.Checks!["signer"]);
            var audit = await auditor.GetStringAsync("/v1/audit?limit=500");
            Assert.Contains("batch.attest-failed", audit);
        }
        finally
        {
            app.Vault.Down = false;
        }

        var signed = await vendor.Annotator.WaitForAttestationAsync(id);

        Assert.Equal("signed", signed.Attestation!.State);
        Assert.Null(signed.Attestation.Error);
        var envelope = Envelope.Parse(await vendor.Annotator.GetByteArrayAsync($"/v1/batches/{id}/attestation"));
        var jwks = JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        Assert.True(new EnvelopeVerifier(jwks.Keys).TryVerify(envelope).Valid);
    }

    [Fact]
    public async Task AfterRotationTheNewVersionSignsAndEarlierReceiptsStillVerify()
    {
        var vendor = await _actors.NewVendorAsync();
        var before = await SignedReceiptAsync(vendor);
        var rotatedTo = app.Vault.CreateKey(app.KeyName);

        var after = await SignedReceiptAsync(vendor);

        Assert.Equal(rotatedTo, after.Signatures[0].KeyId);
        Assert.NotEqual(before.Signatures[0].KeyId, after.Signatures[0].KeyId);
        var jwks = JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        var verifier = new EnvelopeVerifier(jwks.Keys);
        Assert.True(verifier.TryVerify(before).Valid);
        Assert.True(verifier.TryVerify(after).Valid);
        var old = jwks.Keys.Single(k => k.Kid == before.Signatures[0].KeyId);
        Assert.NotNull(old.Retired);
        Assert.Null(jwks.Keys.Single(k => k.Kid == rotatedTo).Retired);
    }

    private async Task<Envelope> SignedReceiptAsync(VendorActors vendor)
    {
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        await vendor.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
        await vendor.Annotator.WaitForAttestationAsync(id);
        return Envelope.Parse(await vendor.Annotator.GetByteArrayAsync($"/v1/batches/{id}/attestation"));
    }
}
