using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Client;
using VendorGate.Gateway.Batches.Uploads;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Storage.Blobs.FileSystem;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Batches;

/// <summary>An upload session is ingested while its blocks arrive, so its commit reads only the tail; whatever the run
/// read, the commit ingests exactly the blocks it commits.</summary>
public abstract class StreamingIngestTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

    private StreamingIngests Streaming => app.Services.GetRequiredService<StreamingIngests>();

    /// <summary>About 200 KB of examples: four blocks of 64 KiB.</summary>
    private byte[] Content(string first = "Question 0 ") => Encoding.UTF8.GetBytes(HttpExtensions.Lines([.. Enumerable.Range(0, 1500)
        .Select(i => (object)new { prompt = i == 0 ? $"{first}about invoices, {_tag}?" : $"Question {i} about invoices, {_tag}?", completion = $"Answer {i}: open Billing." })]));

    private static int Blocks(byte[] content) => (content.Length + GatewayApplication.UploadBlockBytes - 1) / GatewayApplication.UploadBlockBytes;

    private static ReadOnlyMemory<byte> Block(byte[] content, int n) =>
        content.AsMemory(n * GatewayApplication.UploadBlockBytes, Math.Min(GatewayApplication.UploadBlockBytes, content.Length - n * GatewayApplication.UploadBlockBytes));

    private Task<int?> ReadSoFar(Guid session, Func<int?, bool> done, string what) =>
        HttpExtensions.PollAsync(() => Task.FromResult(Streaming.BlocksRead(session)), done, what);

    [Fact]
    public async Task Blocks_are_ingested_as_they_arrive_and_the_commit_gives_the_digest_of_the_single_put()
    {
        var vendor = await _actors.NewVendorAsync();
        var content = Content();
        var single = await (await vendor.Annotator.UploadAsync((await vendor.Annotator.CreateBatchAsync()).Id, content)).Json<UploadReceipt>();
        var client = vendor.Annotator.Typed();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await client.CreateUploadSessionAsync(batch, new VendorGate.Client.CreateUploadRequest());

        for (var n = 0; n < Blocks(content); n++)
        {
            await client.PutUploadBlockAsync(batch, session.Id, n, Block(content, n));
        }
        await ReadSoFar(session.Id, read => read == Blocks(content), $"every one of the {Blocks(content)} blocks to be read before the commit");
        var receipt = await client.CommitUploadSessionAsync(batch, session.Id);

        Assert.Equal((single.Count, single.Digest), (receipt.Count, receipt.Digest));
        Assert.Null(Streaming.BlocksRead(session.Id));
        Assert.Equal("in-review", (await vendor.Annotator.WaitForScanAsync(batch)).Status);
    }

    [Fact]
    public async Task A_block_read_and_then_sent_again_with_other_bytes_is_committed_as_sent_again()
    {
        var vendor = await _actors.NewVendorAsync();
        var (original, amended) = (Content(), Content(first: "Question Z "));
        Assert.Equal(original.Length, amended.Length);
        var expected = await (await vendor.Annotator.UploadAsync((await vendor.Annotator.CreateBatchAsync()).Id, amended)).Json<UploadReceipt>();
        var client = vendor.Annotator.Typed();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await client.CreateUploadSessionAsync(batch, new VendorGate.Client.CreateUploadRequest());
        for (var n = 0; n < Blocks(original); n++)
        {
            await client.PutUploadBlockAsync(batch, session.Id, n, Block(original, n));
        }
        await ReadSoFar(session.Id, read => read >= 1, "block 0 to be read");

        await client.PutUploadBlockAsync(batch, session.Id, 0, Block(amended, 0));
        var receipt = await client.CommitUploadSessionAsync(batch, session.Id);

        Assert.Equal((expected.Count, expected.Digest), (receipt.Count, receipt.Digest));
    }

    [Fact]
    public async Task Invalid_lines_found_while_streaming_are_the_commits_problem_and_the_batch_stays_open()
    {
        var vendor = await _actors.NewVendorAsync();
        var broken = Content();
        broken[10] = (byte)'{'; // inside the first line's key: that line is no longer JSON
        var single = await (await vendor.Annotator.UploadAsync((await vendor.Annotator.CreateBatchAsync()).Id, broken)).AssertProblem(HttpStatusCode.BadRequest, "invalid-lines");
        var client = vendor.Annotator.Typed();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await client.CreateUploadSessionAsync(batch, new VendorGate.Client.CreateUploadRequest());
        for (var n = 0; n < Blocks(broken); n++)
        {
            await client.PutUploadBlockAsync(batch, session.Id, n, Block(broken, n));
        }

        var refused = await vendor.Annotator.PostAsync($"/v1/batches/{batch}/uploads/{session.Id}/commit", null);

        Assert.Equal(single.Detail, (await refused.AssertProblem(HttpStatusCode.BadRequest, "invalid-lines")).Detail);
        Assert.Equal("open", (await client.GetBatchAsync(batch)).Status);
        Assert.Empty(await app.Blobs.ListAsync($"quarantine/{batch}/").ToListAsync());
    }

    [Fact]
    public async Task A_block_sent_in_order_is_read_from_memory_before_its_put_returns()
    {
        var vendor = await _actors.NewVendorAsync();
        var content = Content();
        var client = vendor.Annotator.Typed();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await client.CreateUploadSessionAsync(batch, new VendorGate.Client.CreateUploadRequest());

        for (var n = 0; n < Blocks(content); n++)
        {
            await client.PutUploadBlockAsync(batch, session.Id, n, Block(content, n));
            Assert.Equal(n + 1, Streaming.BlocksRead(session.Id)); // no polling: the PUT waited for the run to read it
        }

        Assert.Equal(Blocks(content), (await client.GetUploadSessionAsync(batch, session.Id)).Blocks.Count); // and each is stored
        Assert.Equal(Blocks(content), await app.Blobs.ListAsync($"uploads/{session.Id:N}/").CountAsync());
    }

    [Fact]
    public async Task An_abandoned_session_stops_its_run_and_leaves_nothing()
    {
        var vendor = await _actors.NewVendorAsync();
        var content = Content();
        var client = vendor.Annotator.Typed();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await client.CreateUploadSessionAsync(batch, new VendorGate.Client.CreateUploadRequest());
        await client.PutUploadBlockAsync(batch, session.Id, 0, Block(content, 0));
        await ReadSoFar(session.Id, read => read == 1, "block 0 to be read");

        Assert.Equal(HttpStatusCode.NoContent, (await vendor.Annotator.DeleteAsync($"/v1/batches/{batch}/uploads/{session.Id}")).StatusCode);

        Assert.Null(Streaming.BlocksRead(session.Id));
        Assert.Empty(await app.Blobs.ListAsync($"quarantine/{batch}/").ToListAsync());
        Assert.Empty(await app.Blobs.ListAsync($"uploads/{session.Id:N}/").ToListAsync());
    }
}

public sealed class StreamingIngestOnEmbedded(EmbeddedGateway app) : StreamingIngestTests<EmbeddedGateway>(app);

public sealed class StreamingIngestOnProduction(ProductionGateway app) : StreamingIngestTests<ProductionGateway>(app);

/// <summary>A Gateway that ingests every upload session at its commit (<c>VendorGate:Ingest:StreamingSessions</c> 0),
/// as one does after a restart or when another instance took the blocks.</summary>
public sealed class AtCommitEmbeddedGateway : EmbeddedGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings) { ["VendorGate:Ingest:StreamingSessions"] = "0" };
}

/// <summary>Every upload-session test, with sessions ingested only at their commit.</summary>
public sealed class UploadSessionAtCommitOnEmbedded(AtCommitEmbeddedGateway app) : UploadSessionTests<AtCommitEmbeddedGateway>(app);

/// <summary>Blocks are scratch blobs, not flushed to disk when stored: a commit that reads them later checks each
/// against its digest, and one lost (a power cut) or changed is asked for again rather than ingested.</summary>
public sealed class LostBlockTests(AtCommitEmbeddedGateway app) : IClassFixture<AtCommitEmbeddedGateway>
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task A_stored_block_that_no_longer_matches_its_digest_is_asked_for_again_and_the_commit_then_succeeds()
    {
        var vendor = await _actors.NewVendorAsync();
        var content = Encoding.UTF8.GetBytes(HttpExtensions.Lines([.. Enumerable.Range(0, 1500)
            .Select(i => (object)new { prompt = $"Question {i} about shipping, {Guid.NewGuid():N}?", completion = $"Answer {i}: see Orders." })]));
        var expected = await (await vendor.Annotator.UploadAsync((await vendor.Annotator.CreateBatchAsync()).Id, content)).Json<UploadReceipt>();
        var client = vendor.Annotator.Typed();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var session = await client.CreateUploadSessionAsync(batch, new VendorGate.Client.CreateUploadRequest());
        var size = GatewayApplication.UploadBlockBytes;
        var blocks = (content.Length + size - 1) / size;
        ReadOnlyMemory<byte> Block(int n) => content.AsMemory(n * size, Math.Min(size, content.Length - n * size));
        for (var n = 0; n < blocks; n++)
        {
            await client.PutUploadBlockAsync(batch, session.Id, n, Block(n));
        }
        // Block 1 as a power cut leaves a file that was never flushed: its tail is zeros.
        var file = Directory.EnumerateFiles(app.DataDir, "000001.*", SearchOption.AllDirectories).Single(f => f.Contains($"{session.Id:N}"));
        await using (var torn = File.OpenWrite(file))
        {
            torn.Seek(size / 2, SeekOrigin.Begin);
            torn.Write(new byte[size / 2]);
        }

        var refused = await vendor.Annotator.PostAsync($"/v1/batches/{batch}/uploads/{session.Id}/commit", null);

        Assert.Contains("Stored block 1 no longer matches its digest", (await refused.AssertProblem(HttpStatusCode.Conflict, "missing-blocks")).Detail);
        Assert.DoesNotContain(1, (await client.GetUploadSessionAsync(batch, session.Id)).Blocks.Select(b => b.Number));
        Assert.Equal("open", (await client.GetBatchAsync(batch)).Status);
        await client.PutUploadBlockAsync(batch, session.Id, 1, Block(1));
        var receipt = await client.CommitUploadSessionAsync(batch, session.Id);
        Assert.Equal((expected.Count, expected.Digest), (receipt.Count, receipt.Digest));
    }
}

/// <summary>The feed a streaming run reads: blocks in order as they are stored, to the end the commit names.</summary>
public sealed class BlockFeedTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vg-feed-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<StoredBlock> StoreAsync(IBlobStore blobs, int number, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var name = $"uploads/{number}.{Convert.ToHexStringLower(SHA256.HashData(bytes))}";
        await blobs.WriteOnceAsync(name, bytes);
        return new StoredBlock(number, name, SHA256.HashData(bytes));
    }

    [Fact]
    public async Task Reads_each_block_once_it_is_stored_and_ends_where_the_commit_says()
    {
        var blobs = new FileSystemBlobStore(_root);
        var (zero, one) = (await StoreAsync(blobs, 0, "ab"), await StoreAsync(blobs, 1, "cd"));
        await using var feed = new BlockFeed(blobs);
        var buffer = new byte[16];
        feed.Offer(one); // out of order: waits for block 0

        var first = feed.ReadAsync(buffer).AsTask();
        Assert.False(first.IsCompleted);
        feed.Offer(zero);
        Assert.Equal("ab", Encoding.UTF8.GetString(buffer, 0, await first));
        Assert.Equal("cd", Encoding.UTF8.GetString(buffer, 0, await feed.ReadAsync(buffer)));
        var end = feed.ReadAsync(buffer).AsTask();
        Assert.False(end.IsCompleted); // more blocks may come until the commit

        Assert.True(feed.End([zero, one]));
        Assert.Equal(0, await end);
    }

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5); // never reached: a test that waits for it fails

    [Fact]
    public async Task The_next_block_is_read_from_its_requests_memory_and_the_request_waits_until_it_has_been()
    {
        var blobs = new FileSystemBlobStore(_root);
        var (zero, one) = (await StoreAsync(blobs, 0, "ab"), await StoreAsync(blobs, 1, "cd"));
        await using var feed = new BlockFeed(blobs);

        Assert.Null(feed.TryHold(one, "cd"u8.ToArray())); // block 0 is not on its way: not held
        feed.Offer(one);
        var held = feed.TryHold(zero, "xy"u8.ToArray())!; // the bytes at hand are what is read (its blob says "ab")
        var letGo = feed.LetGoAsync(held, stored: true, Patience, TimeProvider.System);
        Assert.False(letGo.IsCompleted);
        var buffer = new byte[1];
        Assert.Equal("x", Encoding.UTF8.GetString(buffer, 0, await feed.ReadAsync(buffer)));
        Assert.False(letGo.IsCompleted); // half read
        Assert.Equal("y", Encoding.UTF8.GetString(buffer, 0, await feed.ReadAsync(buffer)));
        Assert.True(await letGo);
        Assert.Equal("c", Encoding.UTF8.GetString(buffer, 0, await feed.ReadAsync(buffer))); // block 1 from its blob

        Assert.True(feed.End([zero, one]));
    }

    [Fact]
    public async Task A_block_that_overtakes_one_on_its_way_is_held_and_read_from_memory_after_it()
    {
        var blobs = new FileSystemBlobStore(_root);
        var (zero, one) = (await StoreAsync(blobs, 0, "ab"), await StoreAsync(blobs, 1, "cd"));
        await using var feed = new BlockFeed(blobs);
        var arriving = feed.Arriving(0);

        var second = feed.TryHold(one, "CD"u8.ToArray())!; // block 0 is on its way: block 1 waits for it in memory
        var secondLetGo = feed.LetGoAsync(second, stored: true, Patience, TimeProvider.System);
        var first = feed.TryHold(zero, "AB"u8.ToArray())!;
        var firstLetGo = feed.LetGoAsync(first, stored: true, Patience, TimeProvider.System);
        arriving.Dispose();

        var buffer = new byte[16];
        Assert.Equal("AB", Encoding.UTF8.GetString(buffer, 0, await feed.ReadAsync(buffer)));
        Assert.Equal("CD", Encoding.UTF8.GetString(buffer, 0, await feed.ReadAsync(buffer))); // neither from its blob
        Assert.True(await firstLetGo);
        Assert.True(await secondLetGo);
    }

    [Fact]
    public async Task A_held_block_is_let_go_at_once_when_the_block_before_it_stops_coming_and_is_read_from_its_blob()
    {
        var blobs = new FileSystemBlobStore(_root);
        var (zero, one) = (await StoreAsync(blobs, 0, "ab"), await StoreAsync(blobs, 1, "cd"));
        await using var feed = new BlockFeed(blobs);
        var arriving = feed.Arriving(0);
        var held = feed.TryHold(one, "cd"u8.ToArray())!;
        var letGo = feed.LetGoAsync(held, stored: true, Patience, TimeProvider.System);
        Assert.False(letGo.IsCompleted);

        arriving.Dispose(); // block 0's request failed: no one is sending it now

        Assert.False(await letGo.WaitAsync(TimeSpan.FromSeconds(30))); // answered now, not after its patience
        var read = feed.ReadAsync(new byte[16]).AsTask();
        Assert.False(read.IsCompleted); // waits for block 0
        feed.Offer(zero); // sent again later
        Assert.Equal(2, await read);
        Assert.Equal(2, await feed.ReadAsync(new byte[16])); // block 1 from its blob
    }

    [Fact]
    public async Task A_held_block_whose_store_failed_is_forgotten_and_one_held_past_its_patience_is_read_from_its_blob()
    {
        var blobs = new FileSystemBlobStore(_root);
        var (zero, one) = (await StoreAsync(blobs, 0, "ab"), await StoreAsync(blobs, 1, "cd"));
        await using var feed = new BlockFeed(blobs);
        using var arriving = feed.Arriving(0); // on its way for ever

        var failed = feed.TryHold(one, "xx"u8.ToArray())!;
        Assert.False(await feed.LetGoAsync(failed, stored: false, Patience, TimeProvider.System)); // at once
        var held = feed.TryHold(one, "cd"u8.ToArray())!; // sent again: held again
        Assert.False(await feed.LetGoAsync(held, stored: true, TimeSpan.FromMilliseconds(1), TimeProvider.System));

        Assert.True(feed.End([zero, one]));
        var buffer = new byte[16];
        Assert.Equal("ab", Encoding.UTF8.GetString(buffer, 0, await feed.ReadAsync(buffer)));
        Assert.Equal("cd", Encoding.UTF8.GetString(buffer, 0, await feed.ReadAsync(buffer))); // from its blob, not "xx"
        Assert.Equal(0, await feed.ReadAsync(buffer));
    }

    [Fact]
    public async Task A_feed_that_stops_reading_gives_held_blocks_back_and_reads_them_from_their_blobs_if_at_all()
    {
        var blobs = new FileSystemBlobStore(_root);
        var (zero, one) = (await StoreAsync(blobs, 0, "ab"), await StoreAsync(blobs, 1, "cd"));
        await using var feed = new BlockFeed(blobs);
        var first = feed.LetGoAsync(feed.TryHold(zero, "ab"u8.ToArray())!, stored: true, Patience, TimeProvider.System);
        var second = feed.LetGoAsync(feed.TryHold(one, "cd"u8.ToArray())!, stored: true, Patience, TimeProvider.System); // after a held block: held too

        Assert.True(feed.End([zero, one])); // a commit that did not wait for its blocks' requests

        Assert.False(await first);
        Assert.False(await second);
        var buffer = new byte[16];
        Assert.Equal("ab", Encoding.UTF8.GetString(buffer, 0, await feed.ReadAsync(buffer)));
        Assert.Equal("cd", Encoding.UTF8.GetString(buffer, 0, await feed.ReadAsync(buffer)));
        Assert.Equal(0, await feed.ReadAsync(buffer));
    }

    [Fact]
    public async Task A_block_sent_again_with_other_bytes_after_it_was_read_makes_the_feed_useless_to_the_commit()
    {
        var blobs = new FileSystemBlobStore(_root);
        var (zero, again) = (await StoreAsync(blobs, 0, "ab"), await StoreAsync(blobs, 0, "xy"));
        await using var feed = new BlockFeed(blobs);
        feed.Offer(zero);
        Assert.Equal(2, await feed.ReadAsync(new byte[16]));
        feed.Offer(zero); // the same bytes again: still good

        feed.Offer(again);

        Assert.False(feed.End([again]));
    }
}

/// <summary>The start-up warm-up's synthetic examples are valid, of every shape, so it runs every stage of the line
/// checks (an invalid line would stop short of the canonical form and digest it is there to warm).</summary>
public sealed class IngestWarmUpTests
{
    [Fact]
    public void The_warm_up_accepts_every_synthetic_example() => Assert.Equal(2 * 2000, Corpus.IngestWarmUp.Run(rounds: 2));
}
