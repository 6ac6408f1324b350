using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using VendorGate.Attest.Digests;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using Jwk = VendorGate.Client.Jwk;
using JsonWebKeySet = VendorGate.Attest.Signing.JsonWebKeySet;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Attestations;

public abstract class VendorSignatureTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private sealed record Setup(VendorActors Vendor, ECDsa Key, string KeyId);

    private async Task<Setup> VendorWithKeyAsync()
    {
        var vendor = await _actors.NewVendorAsync();
        var vendorAdmin = await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendor.VendorId}/admins", new { handle = Actors.Unique("va") });
        var admin = app.ClientFor(await _actors.NewTokenAsync(vendorAdmin.Id));
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var registered = await admin.PostOk<Jwk>($"/v1/vendors/{vendor.VendorId}/signing-keys", new { publicKeyPem = key.ExportSubjectPublicKeyInfoPem() });
        return new Setup(vendor, key, registered.Kid!);
    }

    private static async Task<(string Digest, long Count)> DigestOf(string corpus)
    {
        var (digest, count) = await CorpusDigest.ComputeAsync(new MemoryStream(Encoding.UTF8.GetBytes(corpus)));
        return (BatchDigest.Format(digest), count);
    }

    private static Task<HttpResponseMessage> UploadSigned(HttpClient client, Guid id, string corpus, string keyId, byte[] signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/batches/{id}/content") { Content = new StringContent(corpus) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        request.Headers.Add("VendorGate-Signature", $"keyid=\"{keyId}\", sig=\"{Convert.ToBase64String(signature)}\"");
        return client.SendAsync(request);
    }

    private static string Corpus() => Lines(new { prompt = Actors.Unique("p"), completion = "c" }, new { prompt = Actors.Unique("q"), completion = "d" });

    [Fact]
    public async Task AVendorSignedUploadGetsOneEnvelopeWithTheVendorAndGatewaySignatures()
    {
        var setup = await VendorWithKeyAsync();
        var annotator = setup.Vendor.Annotator;
        var id = (await annotator.CreateBatchAsync()).Id;
        var corpus = Corpus();
        var (digest, count) = await DigestOf(corpus);

        var prepared = await annotator.PostOk<PreparedStatement>($"/v1/batches/{id}/statement", new { digest, count });
        var pae = Convert.FromBase64String(prepared.Pae!);
        var signature = setup.Key.SignData(pae, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var upload = await UploadSigned(annotator, id, corpus, setup.KeyId, signature);
        await annotator.WaitForAttestationAsync(id);

        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var envelope = Envelope.Parse(await annotator.GetByteArrayAsync($"/v1/batches/{id}/attestation"));
        Assert.Equal(Convert.FromBase64String(prepared.Payload!), envelope.Payload);
        Assert.Equal(setup.KeyId, envelope.Signatures[0].KeyId);
        var gatewayKeys = JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        var vendorKeys = JsonWebKeySet.Parse(await annotator.GetByteArrayAsync($"/v1/vendors/{setup.Vendor.VendorId}/signing-keys"));
        var both = new EnvelopeVerifier([.. gatewayKeys.Keys, .. vendorKeys.Keys]).TryVerify(envelope, threshold: 2);
        Assert.True(both.Valid, string.Join("; ", both.Problems));
        Assert.False(new EnvelopeVerifier(gatewayKeys.Keys).TryVerify(envelope, threshold: 2).Valid);
        Assert.Equal(digest, "sha256:" + Statement.Parse(envelope.Payload).Subjects[0].Sha256);
    }

    [Fact]
    public async Task AnInvalidVendorSignatureIsRejectedBeforeTheBodyAndKeepsNothing()
    {
        var setup = await VendorWithKeyAsync();
        var annotator = setup.Vendor.Annotator;
        var id = (await annotator.CreateBatchAsync()).Id;
        var corpus = Corpus();
        var (digest, count) = await DigestOf(corpus);
        await annotator.PostOk<PreparedStatement>($"/v1/batches/{id}/statement", new { digest, count });
        var wrong = setup.Key.SignData("something else"u8.ToArray(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var response = await UploadSigned(annotator, id, corpus, setup.KeyId, wrong);
        var unknownKey = await UploadSigned(annotator, id, corpus, "no-such-key", wrong);

        await response.AssertProblem(HttpStatusCode.BadRequest, "vendor-signature-invalid");
        await unknownKey.AssertProblem(HttpStatusCode.BadRequest, "vendor-key-unknown");
        Assert.Equal("open", (await annotator.Typed().GetBatchAsync(id)).Status);
        Assert.Empty(await app.Blobs.ListAsync($"quarantine/{id}/").ToListAsync());
    }

    [Fact]
    public async Task ContentOtherThanTheSignedStatementIsRejectedAndNothingIsKept()
    {
        var setup = await VendorWithKeyAsync();
        var annotator = setup.Vendor.Annotator;
        var id = (await annotator.CreateBatchAsync()).Id;
        var (digest, count) = await DigestOf(Corpus());
        var prepared = await annotator.PostOk<PreparedStatement>($"/v1/batches/{id}/statement", new { digest, count });
        var signature = setup.Key.SignData(Convert.FromBase64String(prepared.Pae!), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var response = await UploadSigned(annotator, id, Corpus(), setup.KeyId, signature);

        await response.AssertProblem(HttpStatusCode.BadRequest, "statement-mismatch");
        Assert.Equal("open", (await annotator.Typed().GetBatchAsync(id)).Status);
        Assert.Empty(await app.Blobs.ListAsync($"quarantine/{id}/").ToListAsync());
    }

    [Fact]
    public async Task WeakOrMalformedVendorKeysAreRefused()
    {
        var vendor = await _actors.NewVendorAsync();
        using var rsa2048 = RSA.Create(2048);

        var weak = await _actors.Admin.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/signing-keys", new { publicKeyPem = rsa2048.ExportSubjectPublicKeyInfoPem() });
        var garbage = await _actors.Admin.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/signing-keys", new { publicKeyPem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" });
        var byAnnotator = await vendor.Annotator.PostAsJsonAsync($"/v1/vendors/{vendor.VendorId}/signing-keys", new { publicKeyPem = "x" });

        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var badStatement = await vendor.Annotator.PostAsJsonAsync($"/v1/batches/{batch}/statement", new { digest = "md5:abc", count = 0 });
        var statementErrors = Canonical((await badStatement.AssertProblem(HttpStatusCode.BadRequest, "validation")).Errors);
        Assert.Contains("Digest", statementErrors);
        Assert.Contains("Count", statementErrors);
        await weak.AssertProblem(HttpStatusCode.BadRequest, "validation");
        await garbage.AssertProblem(HttpStatusCode.BadRequest, "validation");
        await byAnnotator.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }
}

public sealed class VendorSignatureOnEmbedded(EmbeddedGateway app) : VendorSignatureTests<EmbeddedGateway>(app);

public sealed class VendorSignatureOnProduction(ProductionGateway app) : VendorSignatureTests<ProductionGateway>(app);
