using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Attest.Digests;
using VendorGate.Client;
using BlobManifestChunks = VendorGate.Gateway.Snapshots.BlobManifestChunks;
using ManifestChunkCollector = VendorGate.Gateway.Snapshots.ManifestChunkCollector;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Snapshots;

/// <summary>The manifest nodes of a cut that never committed are collected; every node a snapshot holds stays. Its own
/// Gateway: the collector judges every node in the store against this Gateway's snapshots.</summary>
public abstract class ManifestChunkCollectorTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private async Task<int> CollectAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ManifestChunkCollector>().RunAsync();
    }

    private async Task<HashSet<string>> NodesAsync() => await app.Blobs.ListAsync(BlobManifestChunks.Root).ToHashSetAsync();

    /// <summary>What a cut that crashed after writing its manifest leaves: the nodes of a tree no snapshot names. Its
    /// digests are fixed (the hashes of the line numbers), so its leaves close at the same entries on every run (eight
    /// leaves and a root): 5,000 random digests made only two leaves in about one run of twenty.</summary>
    private async Task<(byte[] Root, int Nodes)> CrashedCutAsync()
    {
        var writer = new ManifestTreeWriter(new BlobManifestChunks(app.Blobs));
        var batch = new Guid("0b5e55ed-0000-4000-8000-000000000001");
        for (var line = 0; line < 12_000; line++)
        {
            var digest = SHA256.HashData(BitConverter.GetBytes(line));
            await writer.AddAsync(new ManifestRecord(digest, batch, new Guid(digest.AsSpan(0, 16)), line), CancellationToken.None);
        }
        return (await writer.FinishAsync(CancellationToken.None), writer.NodesWritten);
    }

    [Fact]
    public async Task Nodes_no_snapshot_holds_are_removed_and_the_snapshots_read_as_before()
    {
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        var vendor = await _actors.NewVendorAsync();
        var s1 = await maintainer.PostOk<SnapshotView>("/v1/snapshots",
            new { message = "first", batchIds = new[] { await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(3)) } });
        var s2 = await maintainer.PostOk<SnapshotView>("/v1/snapshots",
            new { message = "second", batchIds = new[] { await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(2)) } });
        var content = await auditor.GetStringAsync($"/v1/snapshots/{s2.Version}/content");
        var held = await NodesAsync();
        var (orphan, orphanNodes) = await CrashedCutAsync();
        Assert.Equal(9, orphanNodes); // eight leaves and a root

        Assert.Equal(orphanNodes, await CollectAsync());

        Assert.Equal(held, await NodesAsync()); // exactly the crashed cut's nodes went
        Assert.DoesNotContain(BlobManifestChunks.NameOf(orphan), held);
        Assert.All(new[] { s1, s2 }, s => Assert.Contains(BlobManifestChunks.NameOf(Convert.FromHexString(s.ManifestDigest["sha256:".Length..])), held));
        Assert.Equal(content, await auditor.GetStringAsync($"/v1/snapshots/{s2.Version}/content"));
        Assert.Equal(0, await CollectAsync()); // nothing left to collect

        // A cut after the collection writes what it needs again, reusing nothing collected.
        var s3 = await maintainer.PostOk<SnapshotView>("/v1/snapshots",
            new { message = "third", batchIds = new[] { await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(1)) } });
        Assert.StartsWith(content, await auditor.GetStringAsync($"/v1/snapshots/{s3.Version}/content"));
        Assert.Equal(0, await CollectAsync());
    }
}

public sealed class ManifestChunkCollectorOnEmbedded(EmbeddedGateway app) : ManifestChunkCollectorTests<EmbeddedGateway>(app);

public sealed class ManifestChunkCollectorOnProduction(ProductionGateway app) : ManifestChunkCollectorTests<ProductionGateway>(app);
