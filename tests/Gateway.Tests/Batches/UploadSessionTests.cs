using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Batches;

/// <summary>Resumable uploads: blocks in any order and again at will, each verified against its Content-Digest, listed
/// for a client resuming after a crash, and committed through the same ingest as the single PUT.</summary>
public abstract class UploadSessionTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

    private sealed record Session(Guid Id, Guid BatchId, string ContentEncoding, int BlockSize, DateTimeOffset ExpiresAt, long ReceivedBytes, List<Block> Blocks);

    private sealed record Block(int Number, int Size, string Sha256);

    /// <summary>About 200 KB of examples: four blocks of 64 KiB.</summary>
    private byte[] Content() => Encoding.UTF8.GetBytes(HttpExtensions.Lines([.. Enumerable.Range(0, 1500)
        .Select(i => (object)new { prompt = $"Question {i} about invoices and refunds, {_tag}?", completion = $"Answer {i}: open Settings, then Billing, then Refunds." })]));

    private static HttpContent BlockContent(ReadOnlySpan<byte> bytes, string? digest = null)
    {
        var content = new ByteArrayContent(bytes.ToArray());
        content.Headers.ContentType = new("application/octet-stream");
        content.Headers.Add("Content-Digest", $"sha-256=:{digest ?? Convert.ToBase64String(SHA256.HashData(bytes))}:");
        return content;
    }

    private static async Task<Session> OpenAsync(HttpClient client, Guid batchId, string? encoding = null)
    {
        var response = await client.PostAsJsonAsync($"/v1/batches/{batchId}/uploads", new { contentEncoding = encoding });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Session>())!;
    }

    private static async Task SendAsync(HttpClient client, Session session, byte[] content, IEnumerable<int> numbers)
    {
        foreach (var n in numbers)
        {
            var part = content.AsSpan(n * session.BlockSize, Math.Min(session.BlockSize, content.Length - n * session.BlockSize));
            var response = await client.PutAsync($"/v1/batches/{session.BatchId}/uploads/{session.Id}/blocks/{n}", BlockContent(part));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static int Blocks(Session session, byte[] content) => (content.Length + session.BlockSize - 1) / session.BlockSize;

    [Fact]
    public async Task Blocks_in_any_order_resumed_from_the_list_commit_to_the_digest_of_the_single_put()
    {
        var vendor = await _actors.NewVendorAsync();
        var content = Content();
        var single = await (await vendor.Annotator.UploadAsync((await vendor.Annotator.CreateBatchAsync()).Id, content)).Json<UploadReceipt>();

        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await OpenAsync(vendor.Annotator, batch);
        Assert.Equal(GatewayApplication.UploadBlockBytes, session.BlockSize);
        var count = Blocks(session, content);
        Assert.True(count >= 3, $"{content.Length} bytes make {count} blocks");
        // A client sends the last block and block 0 twice, then "crashes"; resuming, it asks what arrived.
        await SendAsync(vendor.Annotator, session, content, [count - 1, 0, 0]);
        var listed = await vendor.Annotator.GetOk<Session>($"/v1/batches/{batch}/uploads/{session.Id}");
        Assert.Equal([0, count - 1], listed.Blocks.Select(b => b.Number));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content.AsSpan(0, session.BlockSize))), listed.Blocks[0].Sha256);
        Assert.Equal(session.BlockSize + (content.Length - (count - 1) * session.BlockSize), listed.ReceivedBytes);
        // Nothing is visible before the commit: the batch is still open with no content.
        Assert.Equal("open", (await vendor.Annotator.GetOk<BatchView>($"/v1/batches/{batch}")).Status);
        var gap = await vendor.Annotator.PostAsync($"/v1/batches/{batch}/uploads/{session.Id}/commit", null);
        Assert.Contains("1", (await gap.AssertProblem(HttpStatusCode.Conflict, "missing-blocks")).Detail);

        await SendAsync(vendor.Annotator, session, content, Enumerable.Range(1, count - 2).Reverse());
        var committed = await vendor.Annotator.PostAsync($"/v1/batches/{batch}/uploads/{session.Id}/commit", null);

        Assert.Equal(HttpStatusCode.Accepted, committed.StatusCode);
        var receipt = await committed.Json<UploadReceipt>();
        Assert.Equal((single.Count, single.Digest), (receipt.Count, receipt.Digest));
        Assert.Equal("received", receipt.Status);
        await (await vendor.Annotator.GetAsync($"/v1/batches/{batch}/uploads/{session.Id}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        Assert.Equal("in-review", (await vendor.Annotator.WaitForScanAsync(batch)).Status);
        // The committed session's blocks are removed by a job after the answer.
        await HttpExtensions.PollAsync(() => app.Blobs.ListAsync($"uploads/{session.Id:N}/").CountAsync().AsTask(), left => left == 0, "the committed session's blocks to be removed");
    }

    [Fact]
    public async Task A_gzip_session_commits_the_decompressed_content()
    {
        var vendor = await _actors.NewVendorAsync();
        var content = Content();
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }
        var expected = await (await vendor.Annotator.UploadAsync((await vendor.Annotator.CreateBatchAsync()).Id, content)).Json<UploadReceipt>();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await OpenAsync(vendor.Annotator, batch, "gzip");
        var bytes = compressed.ToArray();
        // Through the typed client, which computes each block's Content-Digest.
        var client = vendor.Annotator.Typed();
        for (var n = 0; n < Blocks(session, bytes); n++)
        {
            var block = await client.PutUploadBlockAsync(batch, session.Id, n, bytes.AsMemory(n * session.BlockSize, Math.Min(session.BlockSize, bytes.Length - n * session.BlockSize)));
            Assert.Equal(n, block.Number);
        }

        var receipt = await client.CommitUploadSessionAsync(batch, session.Id);

        Assert.Equal(expected.Digest, receipt.Digest);
    }

    [Fact]
    public async Task Bad_blocks_are_refused_with_a_problem_and_nothing_is_kept()
    {
        var vendor = await _actors.NewVendorAsync();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await OpenAsync(vendor.Annotator, batch);
        var url = $"/v1/batches/{batch}/uploads/{session.Id}/blocks";
        var block = "{\"prompt\":\"a\",\"completion\":\"b\"}\n"u8.ToArray();

        var missing = new ByteArrayContent(block);
        await (await vendor.Annotator.PutAsync($"{url}/0", missing)).AssertProblem(HttpStatusCode.BadRequest, "bad-content-digest");
        await (await vendor.Annotator.PutAsync($"{url}/0", BlockContent(block, Convert.ToBase64String(new byte[32])))).AssertProblem(HttpStatusCode.BadRequest, "digest-mismatch");
        await (await vendor.Annotator.PutAsync($"{url}/-1", BlockContent(block))).AssertProblem(HttpStatusCode.BadRequest, "bad-block-number");
        await (await vendor.Annotator.PutAsync($"{url}/0", BlockContent(new byte[session.BlockSize + 1]))).AssertProblem(HttpStatusCode.RequestEntityTooLarge, "block-too-large");
        await (await vendor.Annotator.PostAsJsonAsync($"/v1/batches/{batch}/uploads", new { contentEncoding = "br" })).AssertProblem(HttpStatusCode.BadRequest, "validation");
        Assert.Empty((await vendor.Annotator.GetOk<Session>($"/v1/batches/{batch}/uploads/{session.Id}")).Blocks);
        await (await vendor.Annotator.PostAsync($"/v1/batches/{batch}/uploads/{session.Id}/commit", null)).AssertProblem(HttpStatusCode.BadRequest, "empty-batch");

        // Content the single PUT refuses is refused at the commit with the same line errors; the session stays to be mended.
        var invalid = "{\"prompt\":\"a\",\"completion\":\"b\"}\nnot json\n"u8.ToArray();
        Assert.Equal(HttpStatusCode.OK, (await vendor.Annotator.PutAsync($"{url}/0", BlockContent(invalid))).StatusCode);
        var problem = await (await vendor.Annotator.PostAsync($"/v1/batches/{batch}/uploads/{session.Id}/commit", null)).AssertProblem(HttpStatusCode.BadRequest, "invalid-lines");
        Assert.Equal(2, Assert.Single(problem.Lines!).Line);
        Assert.Equal("open", (await vendor.Annotator.GetOk<BatchView>($"/v1/batches/{batch}")).Status);
        Assert.Single((await vendor.Annotator.GetOk<Session>($"/v1/batches/{batch}/uploads/{session.Id}")).Blocks);

        // Another vendor's annotator does not see the session at all; the batch's own vendor-admin is not its submitter.
        var other = await _actors.NewVendorAsync();
        await (await other.Annotator.GetAsync($"/v1/batches/{batch}/uploads/{session.Id}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await other.Annotator.PutAsync($"{url}/1", BlockContent(block))).AssertProblem(HttpStatusCode.NotFound, "not-found");

        Assert.Equal(HttpStatusCode.NoContent, (await vendor.Annotator.DeleteAsync($"/v1/batches/{batch}/uploads/{session.Id}")).StatusCode);
        await (await vendor.Annotator.GetAsync($"/v1/batches/{batch}/uploads/{session.Id}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    /// <summary>A block sent again replaces the one before it.</summary>
    [Fact]
    public async Task A_block_sent_again_is_committed_as_replaced()
    {
        var vendor = await _actors.NewVendorAsync();
        var first = Encoding.UTF8.GetBytes(HttpExtensions.Lines(new { prompt = $"First draft {_tag}", completion = "Old answer." }));
        var second = Encoding.UTF8.GetBytes(HttpExtensions.Lines(new { prompt = $"Second draft {_tag}", completion = "New answer." }));
        var expected = await (await vendor.Annotator.UploadAsync((await vendor.Annotator.CreateBatchAsync()).Id, second)).Json<UploadReceipt>();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await OpenAsync(vendor.Annotator, batch);
        var client = vendor.Annotator.Typed();

        await client.PutUploadBlockAsync(batch, session.Id, 0, first);
        await client.PutUploadBlockAsync(batch, session.Id, 0, second);
        var receipt = await client.CommitUploadSessionAsync(batch, session.Id);

        Assert.Equal((1L, expected.Digest), (receipt.Count, receipt.Digest));
    }

    [Fact]
    public async Task An_expired_session_takes_nothing_more_and_the_sweeper_removes_it_with_its_blocks()
    {
        var vendor = await _actors.NewVendorAsync();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await OpenAsync(vendor.Annotator, batch);
        var block = "{\"prompt\":\"a\",\"completion\":\"b\"}\n"u8.ToArray();
        Assert.Equal(HttpStatusCode.OK, (await vendor.Annotator.PutAsync($"/v1/batches/{batch}/uploads/{session.Id}/blocks/0", BlockContent(block))).StatusCode);
        Assert.Single(await app.Blobs.ListAsync($"uploads/{session.Id:N}/").ToListAsync());

        app.Clock.Advance(session.ExpiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1));
        await (await vendor.Annotator.PutAsync($"/v1/batches/{batch}/uploads/{session.Id}/blocks/1", BlockContent(block))).AssertProblem(HttpStatusCode.Gone, "upload-expired");
        await (await vendor.Annotator.PostAsync($"/v1/batches/{batch}/uploads/{session.Id}/commit", null)).AssertProblem(HttpStatusCode.Gone, "upload-expired");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<Gateway.Batches.Uploads.UploadSessionCleanup>().RunAsync() >= 1);
        }

        await (await vendor.Annotator.GetAsync($"/v1/batches/{batch}/uploads/{session.Id}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        Assert.Empty(await app.Blobs.ListAsync($"uploads/{session.Id:N}/").ToListAsync());
        Assert.Equal("open", (await vendor.Annotator.GetOk<BatchView>($"/v1/batches/{batch}")).Status);
    }
}

public sealed class UploadSessionOnEmbedded(EmbeddedGateway app) : UploadSessionTests<EmbeddedGateway>(app);

public sealed class UploadSessionOnProduction(ProductionGateway app) : UploadSessionTests<ProductionGateway>(app);
