using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using VendorGate.Attest.Dsse;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Snapshots;

/// <summary>AI-BOMs of a snapshot and of a model, in CycloneDX 1.6 and SPDX 3.0.1: valid against the official schemas,
/// naming the snapshot by its manifest digest, its vendors, licences and the PII the scanner found, and signed in a
/// statement that vendorgate-verify checks the document against.</summary>
public abstract class AiBomTests<TApp>(TApp app) : IClassFixture<TApp>, IDisposable where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);
    private readonly ScratchDirectory _files = new("vg-bom-");

    public void Dispose() => _files.Dispose();

    private async Task<(string Version, string Model, VendorActors Vendor, HttpClient Maintainer)> ModelOnSnapshotAsync()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer,
            new { prompt = Actors.Unique("How do I reach support"), completion = "Write to jane.doe@example.com and we answer within a day." },
            new { prompt = Actors.Unique("Where is my invoice"), completion = "Under Settings, then Billing." });
        var version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "for the BOM", batchIds = new[] { batch } })).Version;
        await PollAsync(() => maintainer.Typed().GetSnapshotAsync(version), s => s.Attestation.State == "signed", $"snapshot {version} to be signed");
        var model = Actors.Unique("model");
        await maintainer.PostOk<ModelView>("/v1/models", new { name = model, snapshotVersion = version });
        return (version, model, vendor, maintainer);
    }

    private static async Task<(byte[] Document, string Hex, string Link)> BomAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        var hex = Convert.ToHexStringLower(SHA256.HashData(body));
        Assert.Equal($"sha256:{hex}", response.Headers.GetValues("VendorGate-Bom-Digest").Single());
        var link = response.Headers.GetValues("Link").Single();
        return (body, hex, link[1..link.IndexOf('>')]);
    }

    [Fact]
    public async Task A_models_AI_BOM_is_schema_valid_in_both_formats_names_its_snapshot_and_verifies_against_its_signed_statement()
    {
        var (version, model, vendor, maintainer) = await ModelOnSnapshotAsync();
        var procurement = await _actors.ProcurementAsync();
        var snapshot = await maintainer.Typed().GetSnapshotAsync(version);
        var manifest = snapshot.ManifestDigest["sha256:".Length..];
        var vendorName = (await maintainer.GetOk($"/v1/vendors/{vendor.VendorId}")).GetProperty("name").GetString()!;

        // CycloneDX: the model, trained on the snapshot; the snapshot a data component with its hash, governance and PII.
        var (cdxBytes, cdxHex, cdxLink) = await BomAsync(procurement, $"/v1/models/{model}/bom?format=cyclonedx");
        Assert.Empty(BomSchemas.CycloneDxErrors(cdxBytes));
        var cdx = JsonNode.Parse(cdxBytes)!;
        Assert.Equal(("CycloneDX", "1.6"), (cdx["bomFormat"]!.GetValue<string>(), cdx["specVersion"]!.GetValue<string>()));
        var modelComponent = cdx["metadata"]!["component"]!;
        Assert.Equal(("machine-learning-model", model), (modelComponent["type"]!.GetValue<string>(), modelComponent["name"]!.GetValue<string>()));
        Assert.Equal($"snapshot:{version}", modelComponent["modelCard"]!["modelParameters"]!["datasets"]![0]!["ref"]!.GetValue<string>());
        var data = cdx["components"]!.AsArray().Single(c => c!["bom-ref"]!.GetValue<string>() == $"snapshot:{version}")!;
        Assert.Equal(manifest, data["hashes"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("CC-BY-4.0", data["licenses"]![0]!["expression"]!.GetValue<string>());
        var dataset = data["data"]![0]!;
        Assert.Contains(vendorName, dataset["governance"]!["custodians"]!.AsArray().Select(c => c!["organization"]!["name"]!.GetValue<string>()));
        Assert.NotEmpty(dataset["governance"]!["owners"]!.AsArray());
        Assert.Contains(dataset["sensitiveData"]!.AsArray(), s => s!.GetValue<string>().Contains("pii-email"));
        Assert.Contains(cdx["components"]!.AsArray(), c => c!["bom-ref"]!.GetValue<string>() == $"vendor:{vendor.VendorId}");

        // SPDX 3: a DatasetPackage with sensitive personal information, an AIPackage trained on it.
        var (spdxBytes, _, _) = await BomAsync(procurement, $"/v1/models/{model}/bom?format=spdx");
        Assert.Empty(BomSchemas.SpdxErrors(spdxBytes));
        var graph = JsonNode.Parse(spdxBytes)!["@graph"]!.AsArray();
        var package = graph.Single(e => e!["type"]!.GetValue<string>() == "dataset_DatasetPackage")!;
        Assert.Equal(("yes", manifest), (package["dataset_hasSensitivePersonalInformation"]!.GetValue<string>(), package["verifiedUsing"]![0]!["hashValue"]!.GetValue<string>()));
        var ai = graph.Single(e => e!["type"]!.GetValue<string>() == "ai_AIPackage")!;
        var trainedOn = graph.Single(e => e!["type"]!.GetValue<string>() == "Relationship" && e["relationshipType"]!.GetValue<string>() == "trainedOn")!;
        Assert.Equal((ai["spdxId"]!.GetValue<string>(), package["spdxId"]!.GetValue<string>()),
            (trainedOn["from"]!.GetValue<string>(), trainedOn["to"]![0]!.GetValue<string>()));
        Assert.Contains(graph, e => e!["type"]!.GetValue<string>() == "Organization" && e["name"]!.GetValue<string>() == vendorName);

        // The schemas do judge: a value outside their enums is refused.
        Assert.NotEmpty(BomSchemas.CycloneDxErrors(System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(cdxBytes).Replace("\"machine-learning-model\"", "\"neural-net\""))));
        Assert.NotEmpty(BomSchemas.SpdxErrors(System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(spdxBytes).Replace("\"dataset_hasSensitivePersonalInformation\": \"yes\"", "\"dataset_hasSensitivePersonalInformation\": \"maybe\""))));

        // The snapshot's own BOMs are valid too, and the same facts give the same document.
        var (snapshotCdx, snapshotHex, _) = await BomAsync(maintainer, $"/v1/snapshots/{version}/bom");
        Assert.Empty(BomSchemas.CycloneDxErrors(snapshotCdx));
        Assert.Equal("data", JsonNode.Parse(snapshotCdx)!["metadata"]!["component"]!["type"]!.GetValue<string>());
        Assert.Empty(BomSchemas.SpdxErrors((await BomAsync(maintainer, $"/v1/snapshots/{version}/bom?format=spdx")).Document));
        Assert.Equal(snapshotHex, (await BomAsync(maintainer, $"/v1/snapshots/{version}/bom?format=cyclonedx")).Hex);

        // Signed: the statement names the document and the snapshot; vendorgate-verify checks the document against it.
        var bundle = await procurement.GetByteArrayAsync(cdxLink + "?format=sigstore");
        var statement = JsonNode.Parse(SigstoreBundle.Parse(bundle).Payload)!;
        Assert.Equal("https://cyclonedx.org/bom", statement["predicateType"]!.GetValue<string>());
        Assert.Equal([cdxHex, manifest], statement["subject"]!.AsArray().Select(s => s!["digest"]!["sha256"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(cdx, statement["predicate"]), "the predicate is the document served");
        string[] files = [_files.Save("bom.cdx.json", cdxBytes), _files.Save("bom.sigstore.json", bundle)];
        var keys = await _files.KeysAsync(app);
        var verified = VerifyCli.Run("file", files[0], files[1], "--keys", keys);
        Assert.True(verified.Code == 0, verified.Output);
        var byJs = SigstoreJs.VerifyWithJwks(files[1], File.ReadAllBytes(keys));
        Assert.True(byJs.Code == 0, byJs.Output);
        File.WriteAllText(files[0], File.ReadAllText(files[0]).Replace(vendorName, "Someone Else"));
        Assert.Equal(1, VerifyCli.Run("file", files[0], files[1], "--keys", keys).Code);
    }

    [Fact]
    public async Task AI_BOM_requests_that_cannot_be_answered_are_clear_problems()
    {
        var (version, model, vendor, maintainer) = await ModelOnSnapshotAsync();
        await (await maintainer.GetAsync($"/v1/snapshots/{version}/bom?format=swid")).AssertProblem(HttpStatusCode.BadRequest, "bad-format");
        await (await maintainer.GetAsync("/v1/models/no-such-model/bom")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await maintainer.GetAsync("/v1/snapshots/999.0/bom")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await vendor.Annotator.GetAsync($"/v1/models/{model}/bom")).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await maintainer.GetAsync($"/v1/models/{model}/boms/not-hex/attestation")).AssertProblem(HttpStatusCode.BadRequest, "bad-digest");
        await (await maintainer.GetAsync($"/v1/models/{model}/boms/{new string('0', 64)}/attestation")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        var (_, hex, _) = await BomAsync(maintainer, $"/v1/snapshots/{version}/bom");
        await (await maintainer.GetAsync($"/v1/snapshots/{version}/boms/{hex}/attestation?format=cbor")).AssertProblem(HttpStatusCode.BadRequest, "bad-format");
        // A snapshot's BOM is not the model's: asked under the model, it is not there.
        await (await maintainer.GetAsync($"/v1/models/{model}/boms/{hex}/attestation")).AssertProblem(HttpStatusCode.NotFound, "not-found");
    }
}

public sealed class AiBomOnEmbedded(EmbeddedGateway app) : AiBomTests<EmbeddedGateway>(app);

public sealed class AiBomOnProduction(ProductionGateway app) : AiBomTests<ProductionGateway>(app);
