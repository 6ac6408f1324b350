using System.Text;
using Azure.Storage.Blobs;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Storage.Blobs.AzureBlob;
using VendorGate.Gateway.Storage.Blobs.FileSystem;

namespace VendorGate.Gateway.Tests.Blobs;

/// <summary>What every <see cref="IBlobStore"/> promises, checked the same way on each implementation: create-only
/// writes that are invisible until committed, ranged reads, listing by prefix, idempotent deletes. A new backend
/// passes this suite before anything else uses it.</summary>
public abstract class BlobStoreContractTests : IAsyncLifetime
{
    protected IBlobStore Store { get; private set; } = null!;

    protected abstract Task<IBlobStore> CreateAsync();

    public async Task InitializeAsync() => Store = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected static string Name(string prefix = "contract") => $"{prefix}/{Guid.NewGuid():N}";

    private async Task WriteAsync(string name, string text)
    {
        await using var upload = await Store.StartUploadAsync(name);
        await upload.Content.WriteAsync(Encoding.UTF8.GetBytes(text));
        await upload.CommitAsync();
    }

    private async Task<string> ReadAsync(string name, long offset = 0, long? length = null)
    {
        await using var stream = await Store.OpenReadAsync(name, offset, length);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [Theory]
    [InlineData("scratch")]
    [InlineData("bulk")]
    public async Task A_scratch_or_bulk_blob_is_create_only_and_invisible_until_committed_like_any_other(string kind)
    {
        var name = Name(kind);
        await using (var upload = await StartAsync(kind, name))
        {
            await upload.Content.WriteAsync("block"u8.ToArray());
            Assert.False(await Store.ExistsAsync(name));
            await upload.CommitAsync();
        }
        await using (var again = await StartAsync(kind, name))
        {
            await again.Content.WriteAsync("other"u8.ToArray());
            await Assert.ThrowsAsync<BlobAlreadyExistsException>(() => again.CommitAsync());
        }

        Assert.Equal("block", await ReadAsync(name));
    }

    private Task<IBlobUpload> StartAsync(string kind, string name) => kind switch
    {
        "scratch" => Store.StartScratchUploadAsync(name),
        "bulk" => Store.StartBulkUploadAsync(name),
        _ => Store.StartUploadAsync(name),
    };

    [Theory]
    [InlineData("durable")]
    [InlineData("scratch")]
    [InlineData("bulk")]
    public async Task A_blob_written_in_uneven_pieces_across_several_blocks_reads_back_byte_for_byte(string kind)
    {
        // Azure stages 4 MiB blocks from buffers that grow with what is written; the filesystem writes scratch and bulk
        // blobs around the page cache in aligned 1 MiB pieces: small writes, a flush part way, one write spanning several
        // pieces, and a tail, in that order.
        var content = new byte[(9 << 20) + 12_345];
        new Random(7).NextBytes(content);
        var name = Name("large");
        await using (var upload = await StartAsync(kind, name))
        {
            var offset = 0;
            foreach (var size in new[] { 10, 70_000, 200_000, 6 << 20 })
            {
                await upload.Content.WriteAsync(content.AsMemory(offset, size));
                offset += size;
                if (size == 70_000)
                {
                    await upload.Content.FlushAsync();
                }
            }
            await upload.Content.WriteAsync(content.AsMemory(offset));
            await upload.CommitAsync();
        }

        Assert.Equal(content, await Store.ReadAllBytesAsync(name));
        await using var range = await Store.OpenReadAsync(name, (4 << 20) - 5, 10);
        var bytes = new byte[10];
        await range.ReadExactlyAsync(bytes);
        Assert.Equal(content.AsSpan((4 << 20) - 5, 10).ToArray(), bytes);
    }

    [Fact]
    public async Task A_blob_is_invisible_until_committed_and_then_reads_back_whole_and_in_ranges()
    {
        var name = Name();
        await using (var upload = await Store.StartUploadAsync(name))
        {
            await upload.Content.WriteAsync("0123456789"u8.ToArray());
            await upload.Content.FlushAsync();
            Assert.False(await Store.ExistsAsync(name));
            await upload.CommitAsync();
        }

        Assert.True(await Store.ExistsAsync(name));
        Assert.Equal("0123456789", await ReadAsync(name));
        Assert.Equal("3456", await ReadAsync(name, 3, 4));
        Assert.Equal("789", await ReadAsync(name, 7));
    }

    [Fact]
    public async Task An_upload_disposed_without_commit_leaves_nothing()
    {
        var name = Name();
        await using (var upload = await Store.StartUploadAsync(name))
        {
            await upload.Content.WriteAsync(new byte[4096]);
        }

        Assert.False(await Store.ExistsAsync(name));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(name));
    }

    [Fact]
    public async Task A_committed_blob_is_never_replaced()
    {
        var name = Name();
        await WriteAsync(name, "first");

        await using var second = await Store.StartUploadAsync(name);
        await second.Content.WriteAsync("second"u8.ToArray());
        await Assert.ThrowsAsync<BlobAlreadyExistsException>(() => second.CommitAsync());

        Assert.Equal("first", await ReadAsync(name));
    }

    [Fact]
    public async Task Listing_names_the_committed_blobs_under_a_prefix_only()
    {
        var prefix = Name("list");
        await WriteAsync($"{prefix}/a", "a");
        await WriteAsync($"{prefix}/b/c", "c");
        await WriteAsync($"{prefix}-other/d", "d");
        await using var pending = await Store.StartUploadAsync($"{prefix}/pending");

        var names = await Store.ListAsync(prefix + "/").ToListAsync();

        Assert.Equal([$"{prefix}/a", $"{prefix}/b/c"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Deleting_is_idempotent_and_reading_a_missing_blob_says_so()
    {
        var name = Name();
        await WriteAsync(name, "x");

        await Store.DeleteIfExistsAsync(name);
        await Store.DeleteIfExistsAsync(name);

        Assert.False(await Store.ExistsAsync(name));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(name));
        await Store.CheckAsync(); // still reachable
    }
}

public sealed class FileSystemBlobStoreContract : BlobStoreContractTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("vg-blobs-").FullName;

    protected override Task<IBlobStore> CreateAsync() => Task.FromResult<IBlobStore>(new FileSystemBlobStore(_root));

    [Fact]
    public async Task Scratch_and_bulk_blobs_are_written_around_the_page_cache_and_others_through_it()
    {
        // The temporary folder's file system offers direct I/O (ext4, and tmpfs since Linux 6.6); where one does not,
        // scratch and bulk blobs go through the page cache like the others.
        await using var scratch = await Store.StartScratchUploadAsync("scratch/probe");
        await using var bulk = await Store.StartBulkUploadAsync("bulk/probe");
        await using var durable = await Store.StartUploadAsync("durable/probe");

        Assert.IsType<UncachedFileStream>(scratch.Content);
        Assert.IsType<UncachedFileStream>(bulk.Content);
        Assert.IsType<FileStream>(durable.Content);
    }

    [Fact]
    public async Task A_scratch_blob_written_from_page_aligned_memory_in_place_reads_back_byte_for_byte()
    {
        // An upload block lies at a page boundary and its whole pages are written from there: pages only, then pages
        // and a tail (gathered), then pieces gathered after the tail across a flush, then a large piece gathered.
        var memory = GC.AllocateUninitializedArray<byte>(12 << 20, pinned: true);
        new Random(11).NextBytes(memory);
        var offset = UncachedFileStream.AlignedIndex(memory);
        var name = Name("aligned");
        var expected = new MemoryStream();
        await using (var upload = await Store.StartScratchUploadAsync(name))
        {
            foreach (var (size, flush) in new[] { (2 << 20, false), ((3 << 20) + 100, false), (5_000, true), (4 << 20, false), (777, false) })
            {
                await upload.Content.WriteAsync(memory.AsMemory(offset, size));
                expected.Write(memory, offset, size);
                offset += size;
                if (flush)
                {
                    await upload.Content.FlushAsync();
                }
            }
            await upload.CommitAsync();
        }

        Assert.Equal(expected.ToArray(), await Store.ReadAllBytesAsync(name));
    }

    public override Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>Azure Blob Storage, on the Azurite that scripts/test.sh starts; a fresh container per class.</summary>
public sealed class AzureBlobStoreContract : BlobStoreContractTests
{
    private BlobContainerClient _container = null!;

    protected override async Task<IBlobStore> CreateAsync()
    {
        var connection = Environment.GetEnvironmentVariable("VG_TEST_AZURITE") is { Length: > 0 } value ? value
            : throw new InvalidOperationException("VG_TEST_AZURITE is not set: run the suite with `bash scripts/test.sh`, which starts Azurite.");
        _container = new BlobServiceClient(connection).GetBlobContainerClient("contract" + Guid.NewGuid().ToString("N"));
        var store = new AzureBlobStore(_container);
        await store.EnsureContainerAsync();
        return store;
    }

    public override async Task DisposeAsync() => await _container.DeleteIfExistsAsync();

    [Fact]
    public async Task The_services_failures_are_the_stores_a_missing_container_for_good_an_unreachable_account_for_now()
    {
        var missing = new AzureBlobStore(new BlobServiceClient(Environment.GetEnvironmentVariable("VG_TEST_AZURITE"))
            .GetBlobContainerClient("missing" + Guid.NewGuid().ToString("N")));
        var refused = await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => missing.CheckAsync());
        Assert.False(refused.Transient);
        Assert.Contains("404", refused.Message);

        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var account = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};BlobEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;";
        var unreachable = new AzureBlobStore(new BlobServiceClient(account, new BlobClientOptions { Retry = { MaxRetries = 0 } }).GetBlobContainerClient("any"));
        var failed = await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => unreachable.ExistsAsync("a"));
        Assert.True(failed.Transient);
        Assert.Contains("unreachable", failed.Message);
        Assert.True((await Assert.ThrowsAsync<BlobStoreUnavailableException>(async () => await unreachable.ListAsync("").ToListAsync())).Transient);
        await Assert.ThrowsAsync<BlobStoreUnavailableException>(async () =>
        {
            await using var upload = await unreachable.StartUploadAsync("b");
            await upload.Content.WriteAsync(new byte[10]);
            await upload.CommitAsync();
        });
    }

    /// <summary>A blob service that announces 1,000 bytes and closes the connection after 10 of them, every time it is
    /// asked (the SDK asks again for the rest before it gives up).</summary>
    [Fact]
    public async Task A_read_that_fails_part_way_is_the_stores_transient_failure()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var served = 0;
        var serve = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                var request = new byte[8192];
                var read = 0;
                while (!System.Text.Encoding.ASCII.GetString(request, 0, read).Contains("\r\n\r\n") && await stream.ReadAsync(request.AsMemory(read), stop.Token) is > 0 and var n)
                {
                    read += n;
                }
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 206 Partial Content\r\nContent-Length: 1000\r\nContent-Range: bytes 0-999/1000\r\n"
                    + "Content-Type: application/octet-stream\r\nETag: \"0x1\"\r\nx-ms-blob-type: BlockBlob\r\nLast-Modified: Thu, 03 Dec 2026 00:00:00 GMT\r\n\r\n0123456789"), stop.Token);
                Interlocked.Increment(ref served);
            }
        });
        var account = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var store = new AzureBlobStore(new BlobServiceClient(account, new BlobClientOptions { Retry = { MaxRetries = 0 } }).GetBlobContainerClient("any"));

        await using var content = await store.OpenReadAsync("cut-short");
        var failed = await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => content.CopyToAsync(Stream.Null));
        Assert.True(failed.Transient);
        Assert.True(Volatile.Read(ref served) >= 1, "the read never reached the cut-short service");
        // The service loops until it is stopped; stopping it ends its wait for the next connection.
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve);
    }
}
