using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parquet.Serialization;
using VendorGate.Attest.Canonical;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Exports;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Exports;

/// <summary>A row of an export as a training job reads it (Parquet.Net's serializer, by column name).</summary>
public sealed class ExportRow
{
    [JsonPropertyName("index")] public long Index { get; set; }
    [JsonPropertyName("digest")] public string? Digest { get; set; }
    [JsonPropertyName("prompt")] public string? Prompt { get; set; }
    [JsonPropertyName("completion")] public string? Completion { get; set; }
    [JsonPropertyName("messages")] public List<ExportMessage>? Messages { get; set; }
    [JsonPropertyName("domain")] public string? Domain { get; set; }
    [JsonPropertyName("metadata")] public string? Metadata { get; set; }
    [JsonPropertyName("batch_id")] public string? BatchId { get; set; }
    [JsonPropertyName("line")] public int Line { get; set; }
    [JsonPropertyName("annotator_id")] public string? AnnotatorId { get; set; }
    [JsonPropertyName("annotator_handle")] public string? AnnotatorHandle { get; set; }
    [JsonPropertyName("vendor_id")] public string? VendorId { get; set; }
    [JsonPropertyName("vendor_name")] public string? VendorName { get; set; }
    [JsonPropertyName("license")] public string? License { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("submitted_at")] public DateTime SubmittedAt { get; set; }
    [JsonPropertyName("first_snapshot")] public string? FirstSnapshot { get; set; }
}

public sealed class ExportMessage
{
    [JsonPropertyName("role")] public string? Role { get; set; }
    [JsonPropertyName("content")] public string? Content { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("weight")] public double? Weight { get; set; }
}

/// <summary>A snapshot exported as Parquet: sharded files a training job reads back, with per row the provenance blame
/// gives for that index, a dataset card, and a signed statement of the files' digests that vendorgate-verify checks.</summary>
public abstract class ExportTests<TApp>(TApp app) : IClassFixture<TApp>, IDisposable where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);
    private readonly ScratchDirectory _files = new("vg-export-");

    public void Dispose() => _files.Dispose();

    private static object Chat(int i) => new
    {
        messages = new object[]
        {
            new { role = "system", content = Actors.Unique("You are billing support") },
            new { role = "user", content = $"Can I get a refund for order {Actors.Unique("o")}? \"Soon\" please — café ü", name = "customer" },
            new { role = "assistant", content = $"Yes: five working days.\nCase {i}.", weight = 1 },
        },
        domain = "billing",
        metadata = new { ticket = i, tags = new[] { "refund", "en" } },
    };

    private static object Pair(int i) => new { prompt = Actors.Unique("What is the late fee") + $" #{i}?", completion = $"It is {i} % of the balance." };

    /// <summary>A signed snapshot holding a messages batch (with a domain and metadata) and a prompt/completion batch.</summary>
    private async Task<(string Version, HttpClient Maintainer, VendorActors Vendor)> SignedSnapshotAsync()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var chats = await Actors.ApprovedBatchInDomainsAsync(vendor.Annotator, maintainer, ["billing"], Enumerable.Range(0, 6).Select(Chat).ToArray());
        var pairs = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Enumerable.Range(0, 9).Select(Pair).ToArray());
        var version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "for export", batchIds = new[] { chats, pairs } })).Version;
        await PollAsync(() => maintainer.Typed().GetSnapshotAsync(version), s => s.Attestation.State == "signed", $"snapshot {version} to be signed");
        return (version, maintainer, vendor);
    }

    private static Task<JsonElement> CompletedAsync(HttpClient client, Guid id) =>
        PollAsync(() => client.GetOk($"/v1/exports/{id}"), e => e.GetProperty("status").GetString() == "completed", $"export {id} to complete");

    private static List<(string Name, string Sha256, long Size, long Rows)> Files(JsonElement export) =>
        export.GetProperty("files").EnumerateArray()
            .Select(f => (f.GetProperty("name").GetString()!, f.GetProperty("sha256").GetString()!, f.GetProperty("size").GetInt64(), f.GetProperty("rows").GetInt64()))
            .ToList();

    [Fact]
    public async Task A_parquet_export_reads_back_with_blames_provenance_on_every_row_and_its_files_verify_against_the_signed_statement()
    {
        var (version, maintainer, vendor) = await SignedSnapshotAsync();
        var (_, contributor) = await _actors.NewStaffAsync("contributor");
        var snapshot = await maintainer.GetOk($"/v1/snapshots/{version}");
        var count = snapshot.GetProperty("count").GetInt64();

        var accepted = await contributor.PostAsJsonAsync($"/v1/snapshots/{version}/exports", new { format = "parquet" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.Json()).GetProperty("id").GetGuid();
        Assert.Equal($"/v1/exports/{id}", accepted.Headers.Location?.OriginalString);
        var export = await CompletedAsync(contributor, id);
        Assert.Equal((count, count), (export.GetProperty("rows").GetInt64(), export.GetProperty("rowsWritten").GetInt64()));
        Assert.Equal("signed", export.GetProperty("attestation").GetProperty("state").GetString());

        // Asked again (by anyone allowed): the same export.
        var again = await maintainer.PostAsJsonAsync($"/v1/snapshots/{version}/exports", new { format = "parquet" });
        Assert.Equal(id, (await again.Json()).GetProperty("id").GetGuid());

        // Sharded as the Hub lays out a split, plus the card; each file served with the digest it is listed with.
        var files = Files(export);
        var shards = files.Where(f => f.Name.EndsWith(".parquet")).ToList();
        Assert.True(shards.Count >= 2, $"expected several shards at 1 KiB each, got {string.Join(", ", files.Select(f => f.Name))}");
        Assert.Equal(shards.Select((_, k) => $"data/train-{k:D5}-of-{shards.Count:D5}.parquet"), shards.Select(f => f.Name));
        Assert.Equal(["README.md"], files.Except(shards).Select(f => f.Name));
        var rows = new List<ExportRow>();
        foreach (var file in files)
        {
            var response = await contributor.GetAsync($"/v1/exports/{id}/files/{file.Name}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal((file.Sha256, file.Size), (Convert.ToHexStringLower(SHA256.HashData(bytes)), (long)bytes.Length));
            Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(bytes))}:", response.Headers.GetValues("Repr-Digest").Single());
            _files.Save(Path.GetFileName(file.Name), bytes);
            if (file.Name.EndsWith(".parquet"))
            {
                var read = (await ParquetSerializer.DeserializeAsync<ExportRow>(new MemoryStream(bytes))).Data;
                Assert.Equal(file.Rows, read.Count);
                rows.AddRange(read);
            }
        }
        Assert.Equal(Enumerable.Range(0, (int)count).Select(i => (long)i), rows.Select(r => r.Index));

        // Every row: the example as submitted (its digest recomputed from the row) and blame's provenance for its index.
        foreach (var row in rows)
        {
            var blamed = await contributor.GetOk($"/v1/snapshots/{version}/examples/{row.Index}");
            var blame = blamed.GetProperty("blame");
            var example = blamed.GetProperty("example");
            var vendorBlame = blame.GetProperty("vendor");
            Assert.Equal(blamed.GetProperty("digest").GetString(), row.Digest);
            Assert.Equal(
                (blame.GetProperty("batch").GetProperty("id").GetString(), blame.GetProperty("annotator").GetProperty("id").GetString(),
                    blame.GetProperty("annotator").GetProperty("handle").GetString(),
                    vendorBlame.ValueKind == JsonValueKind.Null ? null : vendorBlame.GetProperty("id").GetString(),
                    vendorBlame.ValueKind == JsonValueKind.Null ? null : vendorBlame.GetProperty("name").GetString(),
                    blame.GetProperty("batch").GetProperty("license").GetString(), blame.GetProperty("batch").GetProperty("source").GetString(),
                    blame.GetProperty("firstSnapshot").GetString()),
                (row.BatchId, row.AnnotatorId, row.AnnotatorHandle, row.VendorId, row.VendorName, row.License, row.Source, row.FirstSnapshot));
            var submitted = blame.GetProperty("batch").GetProperty("submittedAt").GetDateTimeOffset();
            Assert.Equal(submitted.ToUnixTimeMilliseconds(), new DateTimeOffset(DateTime.SpecifyKind(row.SubmittedAt, DateTimeKind.Utc)).ToUnixTimeMilliseconds());
            if (example.TryGetProperty("domain", out var domain))
            {
                Assert.Equal(domain.GetString(), row.Domain);
            }
            var rebuilt = Rebuild(row, example.TryGetProperty("domain", out _));
            Assert.Equal(row.Digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(rebuilt.ToJsonString())))));
        }
        Assert.Contains(rows, r => r.Messages is { Count: 3 } m && m[1].Name == "customer" && m[2].Weight == 1 && r.Metadata!.Contains("\"ticket\""));
        Assert.Contains(rows, r => r.Prompt is not null && r.Messages is null && r.VendorId == vendor.VendorId.ToString());

        // The card: what the Hub reads in its header, what a person reads below.
        var card = File.ReadAllText(Path.Combine(_files.Path, "README.md"));
        Assert.StartsWith("---\n", card);
        Assert.Contains("    path: data/train-*\n", card);
        Assert.Contains($"# VendorGate snapshot {version}", card);
        Assert.Contains(snapshot.GetProperty("manifestDigest").GetString()!, card);
        Assert.Contains(rows.First(r => r.VendorId == vendor.VendorId.ToString()).VendorName!, card);
        Assert.Contains($"| billing | {snapshot.GetProperty("byDomain").GetProperty("billing").GetInt64():N0} |", card);

        // The statement names every file by its digest; vendorgate-verify checks a shard against it, and refuses one changed.
        var envelope = Envelope.Parse(await contributor.GetByteArrayAsync($"/v1/exports/{id}/attestation"));
        var statement = JsonNode.Parse(envelope.Payload)!;
        Assert.Equal(ExportAttestation.PredicateType, statement["predicateType"]!.GetValue<string>());
        Assert.Equal(files.Select(f => (f.Name, f.Sha256)),
            statement["subject"]!.AsArray().Select(s => (s!["name"]!.GetValue<string>(), s["digest"]!["sha256"]!.GetValue<string>())));
        Assert.Equal(snapshot.GetProperty("manifestDigest").GetString(), statement["predicate"]!["snapshot"]!["manifestDigest"]!.GetValue<string>());
        var bundle = _files.Save("export.sigstore.json", await contributor.GetByteArrayAsync($"/v1/exports/{id}/attestation?format=sigstore"));
        var keys = await _files.KeysAsync(app);
        var shard = Path.Combine(_files.Path, Path.GetFileName(shards[^1].Name));
        var verified = VerifyCli.Run("file", shard, bundle, "--keys", keys);
        Assert.True(verified.Code == 0, verified.Output);
        var byJs = SigstoreJs.VerifyWithJwks(bundle, File.ReadAllBytes(keys)); // an independent verifier of the bundle
        Assert.True(byJs.Code == 0, byJs.Output);
        var changed = File.ReadAllBytes(shard);
        changed[changed.Length / 2] ^= 1;
        File.WriteAllBytes(shard, changed);
        var refused = VerifyCli.Run("file", shard, bundle, "--keys", keys);
        Assert.True(refused.Code == 1, refused.Output);
    }

    /// <summary>The example's JSON from a row's own columns (the domain only where the example named one).</summary>
    private static JsonObject Rebuild(ExportRow row, bool withDomain)
    {
        var example = new JsonObject();
        if (row.Messages is { } messages)
        {
            example["messages"] = new JsonArray(messages.Select(m =>
            {
                var message = new JsonObject { ["role"] = m.Role, ["content"] = m.Content };
                if (m.Name is not null)
                {
                    message["name"] = m.Name;
                }
                if (m.Weight is { } weight)
                {
                    message["weight"] = weight;
                }
                return (JsonNode)message;
            }).ToArray());
        }
        else
        {
            (example["prompt"], example["completion"]) = (row.Prompt, row.Completion);
        }
        if (withDomain)
        {
            example["domain"] = row.Domain;
        }
        if (row.Metadata is not null)
        {
            example["metadata"] = JsonNode.Parse(row.Metadata);
        }
        return example;
    }

    [Fact]
    public async Task Exports_refuse_clearly_what_they_cannot_do()
    {
        var (version, maintainer, _) = await SignedSnapshotAsync();
        var (_, auditor) = await _actors.NewStaffAsync("auditor");

        await (await maintainer.PostAsJsonAsync($"/v1/snapshots/{version}/exports", new { format = "csv" })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await maintainer.PostAsJsonAsync($"/v1/snapshots/{version}/exports", new { })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await maintainer.PostAsJsonAsync("/v1/snapshots/999.0/exports", new { format = "parquet" })).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await auditor.PostAsJsonAsync($"/v1/snapshots/{version}/exports", new { format = "parquet" })).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await auditor.GetAsync($"/v1/exports/{Guid.NewGuid()}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await auditor.GetAsync("/v1/exports?cursor=nope")).AssertProblem(HttpStatusCode.BadRequest, "validation");

        var id = (await (await maintainer.PostAsJsonAsync($"/v1/snapshots/{version}/exports", new { format = "parquet" })).Json()).GetProperty("id").GetGuid();
        await CompletedAsync(auditor, id);
        await (await auditor.GetAsync($"/v1/exports/{id}/files/data/no-such-file.parquet")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await auditor.GetAsync($"/v1/exports/{id}/attestation?format=cbor")).AssertProblem(HttpStatusCode.BadRequest, "bad-format");
        var listed = await auditor.GetOk($"/v1/exports?snapshot={version}");
        Assert.Equal(id, Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_run_that_stopped_part_way_is_written_again_from_nothing_and_a_finished_one_is_left_alone()
    {
        var (version, _, _) = await SignedSnapshotAsync();
        var id = Guid.CreateVersion7(); // an export recorded, its job not run: as if the process stopped

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
            var rows = await db.Snapshots.Where(s => s.Version == version).Select(s => s.Count).SingleAsync();
            db.Exports.Add(new SnapshotExport { Id = id, SnapshotVersion = version, Format = "parquet", Status = ExportStatus.Writing, Rows = rows });
            await db.SaveChangesAsync();
        }
        // What a crashed run leaves: a shard of another plan, and a card with nothing of the snapshot in it.
        var prefix = SnapshotExport.BlobPrefix(id);
        await app.Blobs.WriteOnceAsync(prefix + "data/train-00000-of-00009.parquet", "not parquet"u8.ToArray());
        await app.Blobs.WriteOnceAsync(prefix + "README.md", "stale"u8.ToArray());

        await RunJobAsync(id);
        await RunJobAsync(id); // a duplicate delivery finds it written

        var export = await CompletedAsync((await _actors.NewStaffAsync("auditor")).Client, id);
        var files = Files(export);
        var stored = new List<string>();
        await foreach (var name in app.Blobs.ListAsync(prefix))
        {
            stored.Add(name[prefix.Length..]);
        }
        Assert.Equal(files.Select(f => f.Name).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        foreach (var file in files)
        {
            var bytes = await app.Blobs.ReadAllBytesAsync(prefix + file.Name);
            Assert.Equal(file.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
        Assert.StartsWith("---\n", Encoding.UTF8.GetString(await app.Blobs.ReadAllBytesAsync(prefix + "README.md")));
    }

    private async Task RunJobAsync(Guid id)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ExportJob>().RunAsync(id, CancellationToken.None);
    }
}

public sealed class ExportOnEmbedded(EmbeddedGateway app) : ExportTests<EmbeddedGateway>(app);

public sealed class ExportOnProduction(ProductionGateway app) : ExportTests<ProductionGateway>(app);
