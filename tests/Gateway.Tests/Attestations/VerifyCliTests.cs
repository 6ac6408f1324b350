using System.Diagnostics;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Attestations;

/// <summary>The vendorgate-verify tool, run as a process the way an auditor would, on a receipt from a running Gateway.</summary>
public sealed class VerifyCliTests(EmbeddedGateway app) : IClassFixture<EmbeddedGateway>, IDisposable
{
    private readonly Actors _actors = new(app);
    private readonly string _dir = Directory.CreateTempSubdirectory("vg-verify-").FullName;

    [Fact]
    public async Task VerifiesAReceiptAndItsCorpusAndDetectsTampering()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        // As the vendor wrote it: key order and spacing differ from the canonical form.
        var corpus = $"{{ \"prompt\": \"{Actors.Unique("p")}\",  \"completion\": \"yes\" }}\n{{\"completion\":\"no\",\"prompt\":\"{Actors.Unique("q")}\"}}\n";
        await vendor.Annotator.UploadAsync(id, corpus);
        await vendor.Annotator.WaitForAttestationAsync(id);
        var envelope = Save("receipt.json", await vendor.Annotator.GetByteArrayAsync($"/v1/batches/{id}/attestation"));
        var jwks = Save("keys.json", await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        var file = Save("batch.ndjson", System.Text.Encoding.UTF8.GetBytes(corpus));
        var changed = Save("changed.ndjson", System.Text.Encoding.UTF8.GetBytes(corpus.Replace("\"yes\"", "\"yes!\"")));
        var tamperedBytes = File.ReadAllBytes(envelope);
        var tampered = Save("tampered.json", System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(tamperedBytes).Replace("\"payload\":\"ey", "\"payload\":\"eX")));

        var valid = VerifyCli.Run("envelope", envelope, "--keys", jwks);
        var corpusOk = VerifyCli.Run("corpus", file, envelope, "--keys", jwks);
        var corpusChanged = VerifyCli.Run("corpus", changed, envelope, "--keys", jwks);
        var forged = VerifyCli.Run("envelope", tampered, "--keys", jwks);
        var twoRequired = VerifyCli.Run("envelope", envelope, "--keys", jwks, "--threshold", "2");
        var usage = VerifyCli.Run("envelope", envelope);
        var missing = VerifyCli.Run("corpus", Path.Combine(_dir, "nope.ndjson"), envelope);

        var corpusJson = VerifyCli.Run("corpus", changed, envelope, "--keys", jwks, "--json");

        Assert.True(valid.Code == 0, valid.Output);
        Assert.StartsWith("VALID: ", LastLine(valid.Output));
        Assert.Contains($"batch:{id}", valid.Output);
        Assert.Contains("https://vendorgate.dev/attestations/batch-receipt/v1", valid.Output);
        Assert.True(corpusOk.Code == 0, corpusOk.Output);
        Assert.Contains("digest: MATCH", corpusOk.Output);
        Assert.StartsWith("VALID: ", LastLine(corpusOk.Output));
        // A file that is not the attested content, under valid signatures: the verdict (the last line) says INVALID and why.
        Assert.Equal(1, corpusChanged.Code);
        Assert.Contains("signature: valid", corpusChanged.Output);
        Assert.Equal("INVALID: digest: MISMATCH (the file is not the content this envelope attests)", LastLine(corpusChanged.Output));
        Assert.DoesNotContain("VALID:", corpusChanged.Output.Replace("INVALID:", ""));
        Assert.Equal(1, forged.Code);
        Assert.StartsWith("INVALID: threshold: 0 trusted signature(s)", LastLine(forged.Output));
        Assert.Equal(1, twoRequired.Code);
        Assert.StartsWith("INVALID: threshold: 1 trusted signature(s), threshold 2", LastLine(twoRequired.Output));
        Assert.Equal(2, usage.Code);
        Assert.Equal(2, missing.Code);
        Assert.StartsWith("INVALID: ", LastLine(missing.Output));

        Assert.Equal(1, corpusJson.Code);
        var report = System.Text.Json.JsonSerializer.Deserialize<VerifyReport>(corpusJson.Output, VendorGateClient.Json)!; // vendorgate-verify --json
        Assert.False(report.Valid);
        Assert.StartsWith("INVALID: digest", report.Verdict);
        Assert.Contains(report.Checks, c => c.Check == "digest" && !c.Ok);
        Assert.Contains(report.Checks, c => c.Check == "threshold" && c.Ok);
    }

    [Fact]
    public async Task VerifiesASnapshotsContentAndManifestAgainstItsEnvelope()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(3));
        var version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "cli", batchIds = new[] { batch } })).Version;
        await PollAsync(() => maintainer.Typed().GetSnapshotAsync(version), s => s.Attestation.State == "signed");
        var content = await maintainer.GetStringAsync($"/v1/snapshots/{version}/content");
        var manifest = await maintainer.GetStringAsync($"/v1/snapshots/{version}/manifest");
        var contentFile = Save("content.ndjson", System.Text.Encoding.UTF8.GetBytes(content));
        var manifestFile = Save("manifest.ndjson", System.Text.Encoding.UTF8.GetBytes(manifest));
        var envelope = Save("snapshot.json", await maintainer.GetByteArrayAsync($"/v1/snapshots/{version}/attestation"));
        var jwks = Save("keys.json", await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        var lines = content.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var editedContent = Save("edited.ndjson", System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines[..^1].Append(lines[^1].Replace("\"c2\"", "\"c2 \""))) + "\n"));
        var reordered = Save("reordered.ndjson", System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines.Reverse()) + "\n"));
        var forgedManifest = Save("forged.ndjson", System.Text.Encoding.UTF8.GetBytes(manifest.Replace($"\"annotatorId\":\"{vendor.AnnotatorId}\"", $"\"annotatorId\":\"{Guid.Empty}\"")));

        var valid = VerifyCli.Run("snapshot", contentFile, manifestFile, envelope, "--keys", jwks);
        var edited = VerifyCli.Run("snapshot", editedContent, manifestFile, envelope, "--keys", jwks);
        var outOfOrder = VerifyCli.Run("snapshot", reordered, manifestFile, envelope, "--keys", jwks);
        var forged = VerifyCli.Run("snapshot", contentFile, forgedManifest, envelope, "--keys", jwks);

        Assert.True(valid.Code == 0, valid.Output);
        Assert.StartsWith("VALID: ", LastLine(valid.Output));
        Assert.Contains("manifest: MATCH", valid.Output);
        Assert.Contains("content: MATCH", valid.Output);
        Assert.Equal(1, edited.Code);
        Assert.Contains("content: MISMATCH", edited.Output);
        Assert.StartsWith("INVALID: content: MISMATCH", LastLine(edited.Output));
        Assert.Equal(1, outOfOrder.Code);
        Assert.Equal(1, forged.Code);
        Assert.Contains("manifest: MISMATCH", forged.Output);
    }

    private static string LastLine(string output) => output.TrimEnd().Split('\n')[^1].Trim();

    private string Save(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

/// <summary>What <c>vendorgate-verify --json</c> prints.</summary>
public sealed record VerifyReport(bool Valid, string Verdict, IReadOnlyList<VerifyCheck> Checks);

public sealed record VerifyCheck(string Check, bool Ok);
