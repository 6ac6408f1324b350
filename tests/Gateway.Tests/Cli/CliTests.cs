using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Cli;

/// <summary>The <c>vendorgate</c> CLI run as a process against a Gateway listening on a loopback port.</summary>
public abstract partial class CliTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private static string KeyOf(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;

    private static readonly string[] Upload = ["--justification", "Examples written for the CLI tests by one annotator", "--license", "CC-BY-4.0", "--domain", "billing"];

    /// <summary>Examples of random words: about half compressible, so the gzip is many of the test Gateway's 64 KiB blocks.</summary>
    private static string RandomExamples(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => JsonSerializer.Serialize(new
        {
            prompt = string.Join(' ', Enumerable.Range(0, 5).Select(_ => Guid.NewGuid().ToString("N"))),
            completion = string.Join(' ', Enumerable.Range(0, 10).Select(_ => Guid.NewGuid().ToString("N"))),
        }) + "\n"));

    [Fact]
    public async Task CheckReportsTheLineErrorsTheGatewayGivesAndTheDigestItComputes()
    {
        var vendor = await _actors.NewVendorAsync();
        using var cli = new VendorGateCli(app.ListeningAddress, null);
        var invalid = cli.File("invalid.ndjson");
        await File.WriteAllTextAsync(invalid, string.Join('\n',
            """{"prompt":"fine","completion":"fine"}""",
            """{"prompt":"","completion":"empty prompt"}""",
            """not json""",
            """{"prompt":"p","completion":"c","extra":1}""",
            """{"prompt":"p","completion":"c","domain":"medical"}""",
            "{\"prompt\":\"" + new string('x', GatewayApplication.MaxLineBytes) + "\",\"completion\":\"too long\"}",
            """{"messages":[{"role":"robot","content":"x"}]}"""));
        var valid = cli.File("valid.ndjson");
        await File.WriteAllTextAsync(valid, RandomExamples(50));
        string[] limits = ["--domain", "billing", "--max-line-bytes", GatewayApplication.MaxLineBytes.ToString(), "--json"];

        var checkedInvalid = await cli.RunAsync(["check", invalid, .. limits]);
        var checkedValid = await cli.RunAsync(["check", valid, "--digests", cli.File("digests.txt"), .. limits]);
        var refused = await vendor.Annotator.UploadAsync((await vendor.Annotator.CreateBatchAsync()).Id, await File.ReadAllBytesAsync(invalid));
        var accepted = (await vendor.Annotator.CreateBatchAsync()).Id;
        (await vendor.Annotator.UploadAsync(accepted, await File.ReadAllBytesAsync(valid))).EnsureSuccessStatusCode();

        Assert.Equal(1, checkedInvalid.Code);
        var problem = await refused.Json();
        Assert.Equal(problem.GetProperty("code").GetString(), checkedInvalid.Json.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpExtensions.Canonical(problem.GetProperty("lines").Deserialize<List<LineError>>(VendorGateClient.Json)),
            HttpExtensions.Canonical(checkedInvalid.Json.GetProperty("lines").Deserialize<List<LineError>>(VendorGateClient.Json)));
        Assert.Equal(6, checkedInvalid.Json.GetProperty("lines").GetArrayLength());
        Assert.Equal(0, checkedValid.Code);
        var batch = await vendor.Annotator.Typed().GetBatchAsync(accepted);
        Assert.Equal(batch.Digest, checkedValid.Json.GetProperty("digest").GetString());
        Assert.Equal(batch.Count, checkedValid.Json.GetProperty("count").GetInt64());
        var examples = await vendor.Annotator.Typed().ListBatchExamplesAsync(accepted, 0, 100);
        Assert.Equal(examples.Items.Select(e => e.Digest), await File.ReadAllLinesAsync(cli.File("digests.txt")));
    }

    [Fact]
    public async Task AnUploadKilledHalfwayResumesWhereItStoppedAndYieldsTheDigestOfAnUninterruptedOne()
    {
        var vendor = await _actors.NewVendorAsync();
        using var cli = new VendorGateCli(app.ListeningAddress, KeyOf(vendor.Annotator));
        var file = cli.File("examples.ndjson");
        await File.WriteAllTextAsync(file, RandomExamples(7000));

        var killedAt = await cli.KillWhenAsync(["upload", file, .. Upload], line => BlocksSent(line) >= 4);
        var (batchId, sessionId) = await UnfinishedUploadAsync(cli);
        var statusAfterKill = (await vendor.Annotator.Typed().GetBatchAsync(batchId)).Status;
        var heldAfterKill = (await vendor.Annotator.Typed().GetUploadSessionAsync(batchId, sessionId)).Blocks.Count;
        var resumed = await cli.RunAsync(["upload", file, .. Upload, "--json"]);
        var uninterrupted = await cli.RunAsync(["upload", file, .. Upload, "--idempotency-key", Actors.Unique("again"), "--json"]);
        var check = await cli.RunAsync("check", file, "--domain", "billing", "--json");

        Assert.Equal("open", statusAfterKill); // killed before the commit: nothing visible
        Assert.True(heldAfterKill >= 4, killedAt);
        Assert.Equal(0, resumed.Code);
        Assert.Equal(0, uninterrupted.Code);
        var total = uninterrupted.Json.GetProperty("blocksSent").GetInt32();
        Assert.Equal(0, uninterrupted.Json.GetProperty("blocksAlreadyHeld").GetInt32());
        Assert.True(heldAfterKill < total, $"the upload was not interrupted: {heldAfterKill} of {total} blocks were held");
        var held = resumed.Json.GetProperty("blocksAlreadyHeld").GetInt32();
        var sent = resumed.Json.GetProperty("blocksSent").GetInt32();
        Assert.True(held >= heldAfterKill, resumed.ToString());
        Assert.Equal(total, held + sent); // only the missing blocks were sent
        Assert.Equal(batchId, resumed.Json.GetProperty("batchId").GetGuid());
        Assert.Equal(check.Json.GetProperty("digest").GetString(), resumed.Json.GetProperty("digest").GetString());
        Assert.Equal(uninterrupted.Json.GetProperty("digest").GetString(), resumed.Json.GetProperty("digest").GetString());
        Assert.Empty(Directory.GetFiles(Path.Combine(cli.ConfigDir, "uploads")));
        Assert.NotEqual("open", (await vendor.Annotator.Typed().GetBatchAsync(batchId)).Status);

        var again = await cli.RunAsync(["upload", file, .. Upload, "--json"]); // a third run finds the batch done
        Assert.Equal(0, again.Code);
        Assert.Equal(0, again.Json.GetProperty("blocksSent").GetInt32());
        Assert.Equal(batchId, again.Json.GetProperty("batchId").GetGuid());
    }

    [Fact]
    public async Task A_block_the_Gateway_lost_before_the_commit_is_sent_again_and_the_upload_still_commits()
    {
        var vendor = await _actors.NewVendorAsync();
        using var cli = new VendorGateCli(app.ListeningAddress, KeyOf(vendor.Annotator));
        var file = cli.File("examples.ndjson");
        await File.WriteAllTextAsync(file, RandomExamples(7000));
        await cli.KillWhenAsync(["upload", file, .. Upload], line => BlocksSent(line) >= 4);
        var (batchId, sessionId) = await UnfinishedUploadAsync(cli);
        // The Gateway restarts (its streaming ingest is gone) and a block it had stored, written but not yet on disk, is
        // lost with it. A restart also ends the killed CLI's block requests, which here may still be running: the lost
        // block is one the session lists (its request is done), and its blob goes before the streaming ingest is
        // stopped, so an ingest such a request starts cannot read it first.
        var listed = (await vendor.Annotator.Typed().GetUploadSessionAsync(batchId, sessionId)).Blocks.Select(b => b.Number).Where(n => n > 0).ToList();
        Assert.NotEmpty(listed);
        var number = listed.Min();
        var lost = await app.Blobs.ListAsync($"uploads/{sessionId:N}/{number:D6}.").SingleAsync();
        await app.Blobs.DeleteIfExistsAsync(lost);
        await app.Services.GetRequiredService<Gateway.Batches.Uploads.StreamingIngests>().StopAsync(sessionId);

        var resumed = await cli.RunAsync(["upload", file, .. Upload, "--json"]);
        var check = await cli.RunAsync("check", file, "--domain", "billing", "--json");

        Assert.Equal(0, resumed.Code);
        Assert.True(resumed.Stderr.Contains($"Stored block {number} no longer matches its digest") && resumed.Stderr.Contains("Sending the missing block(s) again"),
            resumed.ToString());
        Assert.Equal(1, resumed.Json.GetProperty("blocksSent").GetInt32()); // the second pass sent the lost block alone
        Assert.Equal(check.Json.GetProperty("digest").GetString(), resumed.Json.GetProperty("digest").GetString());
    }

    /// <summary>The batch and session of the upload the CLI left unfinished: its one state file in the profile's folder.</summary>
    private static async Task<(Guid BatchId, Guid SessionId)> UnfinishedUploadAsync(VendorGateCli cli)
    {
        var state = Directory.GetFiles(Path.Combine(cli.ConfigDir, "uploads")).Single();
        var sessionId = JsonDocument.Parse(await File.ReadAllBytesAsync(state)).RootElement.GetProperty("sessionId").GetGuid();
        return (Guid.Parse(Path.GetFileNameWithoutExtension(state)), sessionId);
    }

    private static int BlocksSent(string line) => BlockLine().Match(line) is { Success: true } m ? int.Parse(m.Groups[1].Value) : 0;

    [GeneratedRegex(@"^block \d+: (\d+) sent")]
    private static partial Regex BlockLine();

    [Theory]
    [InlineData("ES256")]
    [InlineData("PS256")]
    public async Task ACoSignedUploadVerifiesWithTheVendorAndGatewayKeysAtThresholdTwo(string algorithm)
    {
        var vendor = await _actors.NewVendorAsync();
        var vendorAdmin = await _actors.Admin.PostOk<PrincipalView>($"/v1/vendors/{vendor.VendorId}/admins", new { handle = Actors.Unique("va") });
        var admin = app.ClientFor(await _actors.NewTokenAsync(vendorAdmin.Id));
        using var cli = new VendorGateCli(app.ListeningAddress, KeyOf(vendor.Annotator));
        using AsymmetricAlgorithm key = algorithm == "ES256" ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(3072);
        await File.WriteAllTextAsync(cli.File("vendor.pem"), key is ECDsa ec ? ec.ExportECPrivateKeyPem() : key.ExportPkcs8PrivateKeyPem());
        await admin.PostOk<VendorGate.Client.Jwk>($"/v1/vendors/{vendor.VendorId}/signing-keys",
            new { publicKeyPem = key.ExportSubjectPublicKeyInfoPem(), algorithm = algorithm == "ES256" ? null : algorithm });
        await File.WriteAllTextAsync(cli.File("examples.ndjson"), RandomExamples(20));

        var upload = await cli.RunAsync(["upload", cli.File("examples.ndjson"), .. Upload, "--sign-key", cli.File("vendor.pem"), "--receipt", cli.File("receipt.json"), "--json"]);
        await File.WriteAllBytesAsync(cli.File("gateway-keys.json"), await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));
        await File.WriteAllBytesAsync(cli.File("vendor-keys.json"), await vendor.Annotator.GetByteArrayAsync($"/v1/vendors/{vendor.VendorId}/signing-keys"));

        Assert.Equal(0, upload.Code);
        var both = VerifyCli.Run("envelope", cli.File("receipt.json"), "--keys", cli.File("gateway-keys.json"), "--keys", cli.File("vendor-keys.json"), "--threshold", "2");
        var gatewayOnly = VerifyCli.Run("envelope", cli.File("receipt.json"), "--keys", cli.File("gateway-keys.json"), "--threshold", "2");
        Assert.True(both.Code == 0, both.Output);
        Assert.Equal(1, gatewayOnly.Code);
        Assert.Contains(upload.Json.GetProperty("digest").GetString()![7..], both.Output);
    }

    [Fact]
    public async Task LoginKeepsTheKeyInAnOwnerOnlyProfileAndNeverPrintsIt()
    {
        var vendor = await _actors.NewVendorAsync();
        using var cli = new VendorGateCli(app.ListeningAddress, null);
        var key = KeyOf(vendor.Annotator);

        var wrong = await cli.RunAsync(["login", "--gateway", app.ListeningAddress.ToString()], stdin: "vg_not-a-key");
        var noProfileAfterWrongKey = File.Exists(Path.Combine(cli.ConfigDir, "profiles.json"));
        var login = await cli.RunAsync(["login", "--gateway", app.ListeningAddress.ToString()], stdin: key);
        var batches = await cli.RunAsync("batches", "--json");

        Assert.Equal(3, wrong.Code);
        Assert.False(noProfileAfterWrongKey);
        Assert.Equal(0, login.Code);
        Assert.DoesNotContain(key, login.Stdout + login.Stderr + wrong.Stdout + wrong.Stderr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(cli.ConfigDir, "profiles.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cli.ConfigDir));
        Assert.Contains(key, await File.ReadAllTextAsync(Path.Combine(cli.ConfigDir, "profiles.json")));
        Assert.Equal(0, batches.Code);
        Assert.Equal(JsonValueKind.Array, batches.Json.ValueKind);
    }

    [Fact]
    public async Task StatusWatchFollowsTheBatchThroughScanningAndShowsItsFindings()
    {
        var vendor = await _actors.NewVendorAsync();
        using var cli = new VendorGateCli(app.ListeningAddress, KeyOf(vendor.Annotator));
        await File.WriteAllTextAsync(cli.File("examples.ndjson"), RandomExamples(30));
        var upload = await cli.RunAsync(["upload", cli.File("examples.ndjson"), .. Upload, "--json"]);
        var batchId = upload.Json.GetProperty("batchId").GetString()!;

        var watched = await cli.RunAsync("status", batchId, "--watch", "--json");
        var findings = await cli.RunAsync("findings", batchId, "--json");
        var list = await cli.RunAsync("batches", "--json");
        var human = await cli.RunAsync("status", batchId);

        var batch = await vendor.Annotator.Typed().GetBatchAsync(Guid.Parse(batchId));
        Assert.NotEqual("received", batch.Status);
        Assert.NotEqual("scanning", batch.Status);
        Assert.Equal(batch.Status, watched.Json.GetProperty("status").GetString());
        Assert.Equal(batch.Status is "quarantined" or "rejected" or "revoked" ? 1 : 0, watched.Code);
        Assert.Equal(HttpExtensions.Canonical(batch.Findings), HttpExtensions.Canonical(JsonSerializer.Deserialize<List<FindingView>>(findings.Stdout, VendorGateClient.Json)));
        Assert.Contains(list.Json.EnumerateArray(), b => b.GetProperty("id").GetString() == batchId);
        Assert.Contains($"status   {batch.Status}", human.Stdout);
        Assert.All(batch.Findings, f => Assert.Contains(f.Code, human.Stdout));
    }

    [Fact]
    public async Task ExitCodesSayWhetherToFixTheCommandOrTryAgain()
    {
        var vendor = await _actors.NewVendorAsync();
        using var cli = new VendorGateCli(app.ListeningAddress, KeyOf(vendor.Annotator));
        using var unreachable = new VendorGateCli(new Uri("http://127.0.0.1:9"), KeyOf(vendor.Annotator));

        var missingOption = await cli.RunAsync("upload", cli.File("none.ndjson"));
        var missingFile = await cli.RunAsync("check", cli.File("none.ndjson"), "--json");
        var unknownBatch = await cli.RunAsync("status", Guid.NewGuid().ToString(), "--json");
        var down = await unreachable.RunAsync("batches", "--json");

        Assert.Equal(2, missingOption.Code);
        Assert.Equal(2, missingFile.Code);
        Assert.Equal(3, unknownBatch.Code);
        Assert.Equal("not-found", unknownBatch.Json.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(4, down.Code);
        Assert.Equal("unreachable", down.Json.GetProperty("error").GetProperty("code").GetString());
    }
}

public sealed class CliOnEmbedded(ListeningEmbeddedGateway app) : CliTests<ListeningEmbeddedGateway>(app);

public sealed class CliOnProduction(ListeningProductionGateway app) : CliTests<ListeningProductionGateway>(app);
