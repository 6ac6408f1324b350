using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using VendorGate.Attest.Canonical;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Batches;

public abstract class BatchUploadTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    // Unique per test: every test shares one Gateway, and the scanner flags examples seen in other batches.
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];
    private object Card => new { prompt = $"How do I update my card? {_tag}", completion = "Open Settings, then Billing.", domain = "billing" };
    private object Refund => new { messages = new[] { new { role = "user", content = $"Refund? {_tag}" }, new { role = "assistant", content = "Five days." } } };

    private static string Sha256(string canonical) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

    private static string ExpectedBatchDigest(params string[] canonicalLines) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(canonicalLines.SelectMany(l => SHA256.HashData(Encoding.UTF8.GetBytes(l))).ToArray()));

    [Fact]
    public async Task UploadedBatchIsAttributedToTheAnnotatorAndScannedIntoReview()
    {
        var vendor = await _actors.NewVendorAsync();
        var batch = await vendor.Annotator.CreateBatchAsync();
        var id = batch.Id;
        Assert.Equal("open", batch.Status);

        var response = await vendor.Annotator.UploadAsync(id, Lines(Card, Refund));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var receipt = await response.Json<UploadReceipt>();
        Assert.Equal("received", receipt.Status);
        Assert.Equal(2, receipt.Count);
        var cardCanonical = $$"""{"completion":"Open Settings, then Billing.","domain":"billing","prompt":"How do I update my card? {{_tag}}"}""";
        var refundCanonical = $$"""{"messages":[{"content":"Refund? {{_tag}}","role":"user"},{"content":"Five days.","role":"assistant"}]}""";
        Assert.Equal(ExpectedBatchDigest(cardCanonical, refundCanonical), receipt.Digest);

        var scanned = await vendor.Annotator.WaitForScanAsync(id);
        Assert.Equal("in-review", scanned.Status);
        Assert.Equal(vendor.AnnotatorId, scanned.Submitter.Id);
        Assert.Equal(vendor.VendorId, scanned.VendorId);
        // Two examples on a fresh Gateway: too few words to learn word order from, and the finding says so (no silence
        // that reads as a pass); a warning, on no example, so the batch is still in review.
        var unjudged = Assert.Single(scanned.Findings);
        Assert.Equal(("word-salad-unjudged", "warn"), (unjudged.Code, unjudged.Severity));
        Assert.Empty(unjudged.Lines);
        Assert.Contains("word order is judged from 20,000", unjudged.Message);

        var examples = await vendor.Annotator.GetOk<ExamplesPage>($"/v1/batches/{id}/examples?offset=1&limit=10");
        Assert.Equal(2, examples.Count);
        var only = Assert.Single(examples.Items);
        Assert.Equal(1, only.Index);
        Assert.Equal(Sha256(refundCanonical), only.Digest);
        Assert.Equal("Five days.", only.Example.GetProperty("messages")[1].GetProperty("content").GetString()); // the example as uploaded: free-form JSON
    }

    [Fact]
    public async Task DigestIgnoresWhitespaceAndKeyOrderAndGzipIsAccepted()
    {
        var vendor = await _actors.NewVendorAsync();
        var plain = (await vendor.Annotator.CreateBatchAsync()).Id;
        var gzipped = (await vendor.Annotator.CreateBatchAsync()).Id;
        var reordered = $"{{ \"domain\":\"billing\" ,\"completion\" : \"Open Settings, then Billing.\",  \"prompt\":\"How do I update my card? {_tag}\"}}\r\n";

        var first = await (await vendor.Annotator.UploadAsync(plain, Lines(Card))).Json<UploadReceipt>();
        var second = await (await vendor.Annotator.UploadAsync(gzipped, Gzip(Encoding.UTF8.GetBytes(reordered)), encoding: "gzip")).Json<UploadReceipt>();

        Assert.Equal(first.Digest, second.Digest);
    }

    [Fact]
    public async Task InvalidLinesAreListedAndNothingIsKept()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        var body = new MemoryStream();
        void Line(byte[] bytes) { body.Write(bytes); body.WriteByte((byte)'\n'); }
        Line(Encoding.UTF8.GetBytes(JsonLine(Card)));                                 // 1 ok
        Line([(byte)'{', (byte)'"', (byte)'p', 0xC3, 0x28, (byte)'"', (byte)'}']);    // 2 invalid UTF-8
        Line("not json"u8.ToArray());                                                 // 3
        Line("[1,2]"u8.ToArray());                                                    // 4 array
        Line("42"u8.ToArray());                                                       // 5 scalar
        Line("""{"prompt":"only a prompt"}"""u8.ToArray());                           // 6 missing completion
        Line("""{"prompt":"","completion":"x"}"""u8.ToArray());                       // 7 empty string
        Line("""{"prompt":"a","completion":"b","domain":"medical"}"""u8.ToArray());   // 8 undeclared domain
        Line("""{"prompt":"a","completion":"b","extra":1}"""u8.ToArray());            // 9 unknown field
        Line("""{"prompt":"a","completion":"b","prompt":"c"}"""u8.ToArray());         // 10 duplicate key
        Line(Encoding.UTF8.GetBytes(JsonLine(Refund)));                               // 11 ok

        var response = await vendor.Annotator.UploadAsync(id, body.ToArray());

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "invalid-lines");
        var lines = problem.Lines!.ToDictionary(l => l.Line, l => l.Reason);
        Assert.Equal([2L, 3, 4, 5, 6, 7, 8, 9, 10], lines.Keys.Order());
        Assert.Contains("UTF-8", lines[2]);
        Assert.Contains("not valid JSON", lines[3]);
        Assert.Contains("an array", lines[4]);
        Assert.Contains("a number", lines[5]);
        Assert.Contains("completion", lines[6]);
        Assert.Contains("non-empty", lines[7]);
        Assert.Contains("medical", lines[8]);
        Assert.Contains("extra", lines[9]);
        Assert.Contains("duplicate", lines[10]);
        await AssertStillOpenWithNothingStored(vendor, id);

        // The batch is still usable: a corrected upload is accepted.
        var retry = await vendor.Annotator.UploadAsync(id, Lines(Card, Refund));
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
    }

    [Fact]
    public async Task LineOverTheLimitIsRejectedWithoutKeepingAnything()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        var huge = JsonLine(new { prompt = new string('x', GatewayApplication.MaxLineBytes * 2), completion = "y" });

        var response = await vendor.Annotator.UploadAsync(id, Lines(Card) + huge + "\n" + JsonLine(Refund) + "\n");

        var problem = await response.AssertProblem(HttpStatusCode.BadRequest, "invalid-lines");
        var line = Assert.Single(problem.Lines!);
        Assert.Equal(2, line.Line);
        Assert.Contains("longer than", line.Reason);
        await AssertStillOpenWithNothingStored(vendor, id);
    }

    [Fact]
    public async Task BodyOverTheBatchLimitIs413EvenWhenCompressed()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        var sb = new StringBuilder();
        for (var i = 0; sb.Length <= GatewayApplication.MaxBatchBytes; i++)
        {
            sb.Append(JsonLine(new { prompt = $"question {i} " + new string('q', 200), completion = "answer" })).Append('\n');
        }

        var response = await vendor.Annotator.UploadAsync(id, Gzip(Encoding.UTF8.GetBytes(sb.ToString())), encoding: "gzip");

        await response.AssertProblem(HttpStatusCode.RequestEntityTooLarge, "batch-too-large");
        await AssertStillOpenWithNothingStored(vendor, id);
    }

    [Theory]
    [InlineData("text/plain", null, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type")]
    [InlineData("application/x-ndjson", "br", HttpStatusCode.UnsupportedMediaType, "unsupported-encoding")]
    public async Task WrongContentTypeOrEncodingIs415(string contentType, string? encoding, HttpStatusCode status, string code)
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;

        var response = await vendor.Annotator.UploadAsync(id, Encoding.UTF8.GetBytes(Lines(Card)), contentType, encoding);

        await response.AssertProblem(status, code);
        await AssertStillOpenWithNothingStored(vendor, id);
    }

    [Fact]
    public async Task CorruptOrTruncatedGzipIsRejectedWithoutKeepingAnything()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        var compressed = Gzip(Encoding.UTF8.GetBytes(Lines(Card, Refund, new { prompt = "third", completion = "example" })));
        var corrupt = compressed.ToArray();
        corrupt[12] ^= 0xFF;
        corrupt[13] ^= 0xFF;
        var truncated = compressed[..(compressed.Length / 2)];

        var a = await vendor.Annotator.UploadAsync(id, corrupt, encoding: "gzip");
        var b = await vendor.Annotator.UploadAsync(id, truncated, encoding: "gzip");

        await a.AssertProblem(HttpStatusCode.BadRequest, "corrupt-encoding");
        await b.AssertProblem(HttpStatusCode.BadRequest, "corrupt-encoding");
        await AssertStillOpenWithNothingStored(vendor, id);
    }

    [Fact]
    public async Task UploadToABatchThatIsNotOpenIs409()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        Assert.Equal(HttpStatusCode.Accepted, (await vendor.Annotator.UploadAsync(id, Lines(Card))).StatusCode);

        var again = await vendor.Annotator.UploadAsync(id, Lines(Refund));

        await again.AssertProblem(HttpStatusCode.Conflict, "batch-not-open");
        var batch = await vendor.Annotator.Typed().GetBatchAsync(id);
        Assert.Equal(1, batch.Count);
    }

    [Fact]
    public async Task ConcurrentUploadsToOneBatchKeepExactlyOne()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => vendor.Annotator.UploadAsync(id, Lines(Card, Refund))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Accepted), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var stored = await app.Blobs.ListAsync($"quarantine/{id}/").ToListAsync();
        Assert.Equal(2, stored.Count); // one content blob and one index blob
    }

    [Fact]
    public async Task AFewRepeatedExamplesWarnNamingTheLines()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;

        await vendor.Annotator.UploadAsync(id, Lines(Card, Refund, Card, Card, Refund));
        var batch = await vendor.Annotator.WaitForScanAsync(id);

        Assert.Equal("in-review", batch.Status);
        var finding = Assert.Single(batch.Findings, f => f.Code != "word-salad-unjudged");
        Assert.Equal("duplicate-in-batch", finding.Code);
        Assert.Equal("warn", finding.Severity);
        Assert.Equal([3L, 4L, 5L], finding.Lines.Select(l => l));
        Assert.Contains("line 1, occurs 3 times", finding.Message);
    }

    [Fact]
    public async Task AnExampleRepeatedFiveTimesQuarantinesTheBatch()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;

        await vendor.Annotator.UploadAsync(id, Lines(Refund, Card, Card, Card, Card, Card));
        var batch = await vendor.Annotator.WaitForScanAsync(id);

        Assert.Equal("quarantined", batch.Status);
        var finding = Assert.Single(batch.Findings, f => f.Code != "word-salad-unjudged");
        Assert.Equal("block", finding.Severity);
        Assert.Equal([3L, 4L, 5L, 6L], finding.Lines.Select(l => l));
        Assert.Contains("line 2, occurs 5 times (blocks at 5", finding.Message);
    }

    [Fact]
    public async Task ExamplesAlreadyReceivedElsewhereAreFlaggedForReview()
    {
        var first = await _actors.NewVendorAsync();
        var second = await _actors.NewVendorAsync();
        var unique = new { prompt = Actors.Unique("prompt"), completion = "shared answer" };
        var earlier = (await first.Annotator.CreateBatchAsync()).Id;
        await first.Annotator.UploadAsync(earlier, Lines(unique));
        await first.Annotator.WaitForScanAsync(earlier);
        var later = (await second.Annotator.CreateBatchAsync()).Id;

        await second.Annotator.UploadAsync(later, Lines(new { prompt = Actors.Unique("fresh"), completion = "x" }, unique));
        var batch = await second.Annotator.WaitForScanAsync(later);

        Assert.Equal("in-review", batch.Status);
        var finding = Assert.Single(batch.Findings, f => f.Code != "word-salad-unjudged");
        Assert.Equal("duplicate-of-received", finding.Code);
        Assert.Equal("warn", finding.Severity);
        Assert.Equal([2L], finding.Lines.Select(l => l));
    }

    private async Task AssertStillOpenWithNothingStored(VendorActors vendor, Guid id)
    {
        var batch = await vendor.Annotator.Typed().GetBatchAsync(id);
        Assert.Equal("open", batch.Status);
        Assert.Null(batch.Count);
        Assert.Empty(await app.Blobs.ListAsync($"quarantine/{id}/").ToListAsync());
        if (app.Blobs is Storage.Blobs.FileSystem.FileSystemBlobStore files)
        {
            // Other tests' background jobs (receipt signing) stage blobs for a moment; a file left by the rejected
            // upload would stay.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (files.StagedCount > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            Assert.Equal(0, files.StagedCount);
        }
    }

    private static string JsonLine(object example) => System.Text.Json.JsonSerializer.Serialize(example);

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }
}

public sealed class BatchUploadOnEmbedded(EmbeddedGateway app) : BatchUploadTests<EmbeddedGateway>(app);

public sealed class BatchUploadOnProduction(ProductionGateway app) : BatchUploadTests<ProductionGateway>(app);
