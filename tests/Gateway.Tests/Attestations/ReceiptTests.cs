using System.Net;
using System.Text;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Tests.Infrastructure;
using VendorGate.TestSupport;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Attestations;

public abstract class ReceiptTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task EveryReceivedBatchGetsAReceiptThatVerifiesWithTheJwksAndOpenSsl()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).GetProperty("id").GetGuid();
        var receipt = await (await vendor.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }, new { prompt = Actors.Unique("q"), completion = "d" }))).Json();

        var batch = await vendor.Annotator.WaitForAttestationAsync(id);
        var response = await vendor.Annotator.GetAsync($"/v1/batches/{id}/attestation");
        var envelopeBytes = await response.Content.ReadAsByteArrayAsync();
        var jwks = JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));

        var attestation = batch.GetProperty("attestation");
        Assert.Equal("signed", attestation.GetProperty("state").GetString());
        Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(envelopeBytes)), attestation.GetProperty("digest").GetString());
        var envelope = Envelope.Parse(envelopeBytes);
        Assert.Equal(Envelope.InTotoPayloadType, envelope.PayloadType);
        var result = new EnvelopeVerifier(jwks.Keys).Verify(envelope);
        Assert.Equal([attestation.GetProperty("keyId").GetString()!], result.VerifiedKeyIds);

        var statement = Statement.Parse(envelope.Payload);
        Assert.Equal($"batch:{id}", statement.Subjects[0].Name);
        Assert.Equal(receipt.GetProperty("digest").GetString(), "sha256:" + statement.Subjects[0].Sha256);
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
        var id = (await owner.Annotator.CreateBatchAsync()).GetProperty("id").GetGuid();

        var open = await owner.Annotator.GetAsync($"/v1/batches/{id}/attestation");
        await owner.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
        await owner.Annotator.WaitForAttestationAsync(id);
        var foreign = await stranger.Annotator.GetAsync($"/v1/batches/{id}/attestation");

        await open.AssertProblem(HttpStatusCode.Conflict, "attestation-pending");
        await (await owner.Annotator.GetAsync($"/v1/batches/{id}/attestation?kind=everything")).AssertProblem(HttpStatusCode.BadRequest, "bad-kind");
        await foreign.AssertProblem(HttpStatusCode.NotFound, "not-found");
        var ready = await app.ClientFor(null).GetOk("/readyz");
        Assert.Equal("ok", ready.GetProperty("checks").GetProperty("signer").GetString());
    }
}

public sealed class ReceiptOnEmbedded(EmbeddedGateway app) : ReceiptTests<EmbeddedGateway>(app);

public sealed class ReceiptOnProduction(ProductionGateway app) : ReceiptTests<ProductionGateway>(app);

/// <summary>What only the Key Vault signer has: outages and key rotation.</summary>
public sealed class KeyVaultReceiptTests(ProductionGateway app) : IClassFixture<ProductionGateway>
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
            id = (await vendor.Annotator.CreateBatchAsync()).GetProperty("id").GetGuid();
            var upload = await vendor.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
            Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);

            var batch = await WaitForAsync(vendor.Annotator, id, b => b.GetProperty("attestation").GetProperty("error").ValueKind == System.Text.Json.JsonValueKind.String);
            var attestation = batch.GetProperty("attestation");
            Assert.Equal("pending", attestation.GetProperty("state").GetString());
            Assert.Contains("503", attestation.GetProperty("error").GetString());
            Assert.Equal("in-review", (await vendor.Annotator.WaitForScanAsync(id)).GetProperty("status").GetString());
            var notReady = await app.ClientFor(null).GetAsync("/readyz");
            var problem = await notReady.AssertProblem(HttpStatusCode.ServiceUnavailable, "not-ready");
            Assert.Equal("unreachable", problem.GetProperty("checks").GetProperty("signer").GetString());
            var audit = await auditor.GetStringAsync("/v1/audit?limit=500");
            Assert.Contains("batch.attest-failed", audit);
        }
        finally
        {
            app.Vault.Down = false;
        }

        var signed = await vendor.Annotator.WaitForAttestationAsync(id);

        Assert.Equal("signed", signed.GetProperty("attestation").GetProperty("state").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, signed.GetProperty("attestation").GetProperty("error").ValueKind);
        var envelope = Envelope.Parse(await vendor.Annotator.GetByteArrayAsync($"/v1/batches/{id}/attestation"));
        var jwks = JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        Assert.True(new EnvelopeVerifier(jwks.Keys).TryVerify(envelope).Valid);
    }

    [Fact]
    public async Task AfterRotationTheNewVersionSignsAndEarlierReceiptsStillVerify()
    {
        var vendor = await _actors.NewVendorAsync();
        var before = await SignedReceiptAsync(vendor);
        var rotatedTo = app.Vault.CreateKey(ProductionGateway.KeyName);

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
        var id = (await vendor.Annotator.CreateBatchAsync()).GetProperty("id").GetGuid();
        await vendor.Annotator.UploadAsync(id, Lines(new { prompt = Actors.Unique("p"), completion = "c" }));
        await vendor.Annotator.WaitForAttestationAsync(id);
        return Envelope.Parse(await vendor.Annotator.GetByteArrayAsync($"/v1/batches/{id}/attestation"));
    }

    private static async Task<System.Text.Json.JsonElement> WaitForAsync(HttpClient client, Guid id, Func<System.Text.Json.JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var batch = await client.GetOk($"/v1/batches/{id}");
            if (done(batch) || DateTime.UtcNow > deadline)
            {
                return batch;
            }
            await Task.Delay(100);
        }
    }
}
