using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VendorGate.Attest.Dsse;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Attestations;

/// <summary>Every attestation is also served as a key-based Sigstore bundle (<c>?format=sigstore</c>), which a
/// third-party verifier (sigstore-js) and <c>vendorgate-verify</c> accept with the Gateway's published key.</summary>
public abstract class SigstoreBundleApiTests<TApp>(TApp app) : IClassFixture<TApp>, IDisposable where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);
    private readonly ScratchDirectory _files = new("vg-bundle-");

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Receipts_approvals_and_snapshots_are_bundles_that_sigstore_js_and_vendorgate_verify_accept()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(3));
        var version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "bundles", batchIds = new[] { batch } })).Version;
        await PollAsync(() => maintainer.Typed().GetSnapshotAsync(version), s => s.Attestation.State == "signed", $"snapshot {version} to be signed");
        var jwksBytes = await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys");
        var keys = Attest.Signing.JsonWebKeySet.Parse(jwksBytes).Keys;
        var jwks = _files.Save("keys.json", jwksBytes);

        foreach (var (name, path) in new[]
        {
            ("receipt", $"/v1/batches/{batch}/attestation?format=sigstore"),
            ("approval", $"/v1/batches/{batch}/attestation?kind=approval&format=sigstore"),
            ("snapshot", $"/v1/snapshots/{version}/attestation?format=sigstore"),
        })
        {
            var response = await maintainer.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(SigstoreBundle.MediaType, response.Content.Headers.ContentType?.MediaType);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var hint = JsonDocument.Parse(bytes).RootElement.GetProperty("verificationMaterial").GetProperty("publicKey").GetProperty("hint").GetString()!;
            var key = Assert.Single(keys, k => k.Kid == hint);
            var bundle = _files.Save($"{name}.sigstore.json", bytes);
            var forged = _files.Save($"{name}.forged.json", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"payload\":\"ey", "\"payload\":\"eX")));

            var byJs = SigstoreJs.Verify(bundle, hint, SigstoreJs.PublicKeyPem(key));
            var forgedByJs = SigstoreJs.Verify(forged, hint, SigstoreJs.PublicKeyPem(key));
            var byCli = VerifyCli.Run("envelope", bundle, "--keys", jwks);

            Assert.True(byJs.Code == 0, $"{name}: {byJs.Output}");
            Assert.Contains("application/vnd.in-toto+json", byJs.Output);
            Assert.True(forgedByJs.Code == 1, $"{name} forged: {forgedByJs.Output}");
            Assert.True(byCli.Code == 0, $"{name}: {byCli.Output}");
            // The bundle's statement is the envelope's.
            var envelope = Envelope.Parse(await maintainer.GetByteArrayAsync(path.Replace("format=sigstore", "format=dsse")));
            Assert.Equal(envelope.Payload, SigstoreBundle.Parse(bytes).Payload);
        }
    }

    [Fact]
    public async Task An_unknown_format_and_a_bundle_of_the_JSON_lines_are_400_problems()
    {
        var vendor = await _actors.NewVendorAsync();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");

        await (await vendor.Annotator.GetAsync($"/v1/batches/{batch}/attestation?format=cbor")).AssertProblem(HttpStatusCode.BadRequest, "bad-format");
        await (await vendor.Annotator.GetAsync($"/v1/batches/{batch}/attestation?kind=bundle&format=sigstore")).AssertProblem(HttpStatusCode.BadRequest, "bad-format");
        await (await maintainer.GetAsync("/v1/models/no-such-model/gate/attestation?format=cbor")).AssertProblem(HttpStatusCode.BadRequest, "bad-format");
    }
}

public sealed class SigstoreBundleApiOnEmbedded(EmbeddedGateway app) : SigstoreBundleApiTests<EmbeddedGateway>(app);

public sealed class SigstoreBundleApiOnProduction(ProductionGateway app) : SigstoreBundleApiTests<ProductionGateway>(app);
