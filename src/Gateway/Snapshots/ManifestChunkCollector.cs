using Hangfire;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Snapshots;

/// <summary>
/// Removes the manifest-tree nodes no snapshot holds: those of a cut that crashed, or was refused at its commit, after
/// writing them (a cut writes its new nodes first and commits the snapshot row last). A node is shared by name between
/// every snapshot that holds it, so it is garbage only when no committed snapshot's tree reaches it.
/// <para>The nodes are listed first; then, under the cut lock (no cut writes a node, or counts on one being there,
/// meanwhile), every node of every snapshot's tree is marked (interior nodes are read, leaves named by their parents;
/// a subtree shared by several snapshots is read once) and the listed nodes left unmarked are deleted. A node listed
/// and then reused by a cut that committed before the lock was taken is marked; one a later cut needs is written again
/// by it. Marking that fails (a node unreadable) deletes nothing. Daily.</para>
/// </summary>
public sealed class ManifestChunkCollector(VendorGateDb db, IBlobStore blobs, SnapshotCutter cutter, ILogger<ManifestChunkCollector> logger)
{
    public const string RecurringJobId = "collect-manifest-chunks";

    /// <summary>Collects; returns how many nodes were deleted.</summary>
    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        var listed = new List<(string Name, DigestKey Key)>();
        await foreach (var name in blobs.ListAsync(BlobManifestChunks.Root, ct))
        {
            if (BlobManifestChunks.DigestOf(name) is { } digest)
            {
                listed.Add((name, SnapshotManifest.KeyOf(digest)));
            }
        }
        if (listed.Count == 0)
        {
            return 0;
        }
        var (removed, held) = await cutter.WithCutLockAsync(async () =>
        {
            var marked = new HashSet<DigestKey>();
            var tree = new ManifestTreeReader(new BlobManifestChunks(blobs));
            var snapshots = await db.Snapshots.AsNoTracking().Where(s => s.ManifestFormat == ManifestTree.Format).Select(s => s.ManifestDigest).ToListAsync(ct);
            foreach (var root in snapshots)
            {
                await tree.AddNodesAsync(Convert.FromHexString(root["sha256:".Length..]), marked, ct);
            }
            var removed = 0;
            foreach (var (name, _) in listed.Where(node => !marked.Contains(node.Key)))
            {
                await blobs.DeleteIfExistsAsync(name, ct);
                removed++;
            }
            return (removed, marked.Count);
        }, ct);
        if (removed > 0)
        {
            logger.LogInformation("Removed {Count} manifest node(s) no snapshot holds (crashed or refused cuts); snapshots hold {Held}", removed, held);
        }
        return removed;
    }

    public static void Schedule(IServiceProvider services) =>
        services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<ManifestChunkCollector>(RecurringJobId, collector => collector.RunAsync(CancellationToken.None), Cron.Daily());
}
