using Microsoft.Extensions.DependencyInjection;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Storage.Blobs.FileSystem;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Batches;

/// <summary>An upload abandoned by a crash (never committed, never disposed) is never visible, and the staging
/// cleanup removes it once it is older than <c>VendorGate:Blob:StagingMaxAge</c>, leaving uploads in progress.</summary>
public abstract class StagingCleanupTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    [Fact]
    public async Task An_upload_abandoned_by_a_crash_is_invisible_and_removed_once_stale()
    {
        var name = $"crash/{Guid.NewGuid():N}";
        // The "crash": written, then neither committed nor disposed.
        var abandoned = await app.Blobs.StartUploadAsync(name);
        await abandoned.Content.WriteAsync(new byte[1 << 20]);
        await abandoned.Content.FlushAsync();
        var inProgress = await app.Blobs.StartUploadAsync($"crash/{Guid.NewGuid():N}");
        await inProgress.Content.WriteAsync(new byte[1024]);
        await inProgress.Content.FlushAsync();

        Assert.Empty(await app.Blobs.ListAsync("crash/").ToListAsync());
        Assert.False(await app.Blobs.ExistsAsync(name));
        var cleanup = app.Services.GetRequiredService<StagingCleanup>();
        if (app.Blobs is FileSystemBlobStore files)
        {
            var staged = new DirectoryInfo(files.StagingDirectory).EnumerateFiles().OrderByDescending(f => f.Length).First();
            Assert.Equal(1 << 20, staged.Length);
            Assert.Equal(0, await cleanup.RunAsync()); // fresh: might still be under way
            staged.LastWriteTimeUtc = DateTime.UtcNow.AddHours(-7);

            Assert.Equal(1, await cleanup.RunAsync());

            Assert.False(File.Exists(staged.FullName));
            Assert.Equal(1, files.StagedCount); // the upload in progress stays
        }
        else
        {
            // Azure: an abandoned upload is uncommitted blocks, discarded by the service after a week.
            Assert.Equal(0, await cleanup.RunAsync());
        }
        await inProgress.DisposeAsync();
        Assert.Empty(await app.Blobs.ListAsync("crash/").ToListAsync());
    }
}

public sealed class StagingCleanupOnEmbedded(EmbeddedGateway app) : StagingCleanupTests<EmbeddedGateway>(app);

public sealed class StagingCleanupOnProduction(ProductionGateway app) : StagingCleanupTests<ProductionGateway>(app);
