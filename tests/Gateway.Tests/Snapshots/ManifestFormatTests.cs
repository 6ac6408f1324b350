using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Attest.Digests;
using VendorGate.Attest.Dsse;
using VendorGate.Client;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Snapshots;

/// <summary>Every new snapshot's manifest is a tree of chunks (VGT1); snapshots cut before (one flat VGM1 blob) keep
/// reading, diffing, blaming and being revoked from. Its own Gateway: it rewrites a snapshot as a database from before
/// manifest trees would hold it.</summary>
public abstract class ManifestFormatTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    /// <summary>Rewrites <paramref name="version"/> as it was stored before manifest trees: the same entries in one VGM1 blob.</summary>
    private async Task<string> MakeFlatAsync(string version)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var blobs = scope.ServiceProvider.GetRequiredService<IBlobStore>();
        var snapshot = await db.Snapshots.AsNoTracking().SingleAsync(s => s.Version == version);
        var flat = new MemoryStream();
        flat.Write(SnapshotManifest.Header());
        var record = new byte[SnapshotManifest.RecordSize];
        await foreach (var r in scope.ServiceProvider.GetRequiredService<Gateway.Snapshots.SnapshotManifests>().ReadAsync(snapshot, 0, snapshot.Count, CancellationToken.None))
        {
            SnapshotManifest.Write(r, record);
            flat.Write(record);
        }
        var name = $"snapshots/{version}/{Guid.NewGuid():N}.manifest";
        await blobs.WriteOnceAsync(name, flat.ToArray());
        var digest = BatchDigest.Format(SHA256.HashData(flat.ToArray()));
        await db.Snapshots.Where(s => s.Version == version).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.ManifestBlob, name).SetProperty(x => x.ManifestDigest, digest).SetProperty(x => x.ManifestFormat, SnapshotManifest.Format));
        return digest;
    }

    [Fact]
    public async Task NewSnapshotsAreTreesAndSnapshotsCutBeforeKeepWorking()
    {
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, security) = await _actors.NewStaffAsync("security");
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        var first = await _actors.NewVendorAsync();
        var second = await _actors.NewVendorAsync();
        var b1 = await Actors.ApprovedBatchAsync(first.Annotator, maintainer, Actors.Examples(3));
        var s1 = await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "first", batchIds = new[] { b1 } });

        // A new snapshot is a tree, and its statement says so (the verifier rebuilds the root from it).
        Assert.Equal("VGT1", s1.ManifestFormat);
        await PollAsync(() => auditor.Typed().GetSnapshotAsync(s1.Version), s => s.Attestation.State == "signed");
        var statement = Statement.Parse(Envelope.Parse(await auditor.GetByteArrayAsync($"/v1/snapshots/{s1.Version}/attestation")).Payload);
        Assert.Equal("VGT1", statement.Predicate["manifestFormat"]!.GetValue<string>());
        var treeManifest = await (await auditor.Typed().GetSnapshotManifestAsync(s1.Version)).LinesAsync<ManifestEntry>().ToArrayAsync();
        var treeContent = await auditor.GetStringAsync($"/v1/snapshots/{s1.Version}/content");

        // The same snapshot as a database from before manifest trees holds it.
        var flatDigest = await MakeFlatAsync(s1.Version);
        var flat = await auditor.Typed().GetSnapshotAsync(s1.Version);
        Assert.Equal(("VGM1", flatDigest), (flat.ManifestFormat, flat.ManifestDigest));
        Assert.Equal(treeManifest.Select(e => e.ToString()),
            (await (await auditor.Typed().GetSnapshotManifestAsync(s1.Version)).LinesAsync<ManifestEntry>().ToArrayAsync()).Select(e => e.ToString()));
        Assert.Equal(treeContent, await auditor.GetStringAsync($"/v1/snapshots/{s1.Version}/content"));
        var lastOfFirst = s1.Count - 1;
        Assert.Equal(b1, (await auditor.GetOk<ExampleBlame>($"/v1/snapshots/{s1.Version}/examples/{lastOfFirst}")).Blame.Batch.Id);

        // The next cut is a tree again, over the flat parent's entries.
        var b2 = await Actors.ApprovedBatchAsync(second.Annotator, maintainer, Actors.Examples(2));
        var s2 = await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "second", batchIds = new[] { b2 } });
        Assert.Equal(("VGT1", s1.Count + 2), (s2.ManifestFormat, s2.Count));
        Assert.StartsWith(treeContent, await auditor.GetStringAsync($"/v1/snapshots/{s2.Version}/content"));
        Assert.Equal(b2, (await auditor.GetOk<ExampleBlame>($"/v1/snapshots/{s2.Version}/examples/{s2.Count - 1}")).Blame.Batch.Id);
        var across = await auditor.GetOk<DiffSummary>($"/v1/snapshots/{s1.Version}/diff/{s2.Version}");
        Assert.Equal((2L, 0L), (across.Added, across.Removed));
        Assert.Equal(2, across.ByBatch[b2.ToString()].Added);

        // Revoking the first batch: counted in the flat snapshot and in the tree, cut out of the tree.
        var accepted = await security.PostAsJsonAsync("/v1/revocations", new { batchId = b1, reason = "found a trigger in this batch" });
        var id = (await accepted.Json<RevocationAccepted>()).Id;
        var done = await PollAsync(() => security.Typed().GetRevocationAsync(id), r => r.Status == "completed");
        var affected = done.AffectedSnapshots.ToDictionary(a => a.Version!, a => a.Count);
        Assert.Equal(3, affected[s1.Version]);
        Assert.Equal(3, affected[s2.Version]);
        var s21 = await auditor.Typed().GetSnapshotAsync(done.NewSnapshot!);
        Assert.Equal(("VGT1", s2.Count - 3), (s21.ManifestFormat, s21.Count));
        var removed = await auditor.GetOk<DiffSummary>($"/v1/snapshots/{s2.Version}/diff/{s21.Version}");
        Assert.Equal((0L, 3L), (removed.Added, removed.Removed));
        Assert.Equal(3, removed.ByBatch[b1.ToString()].Removed);
        var remaining = await (await auditor.Typed().GetSnapshotManifestAsync(s21.Version)).LinesAsync<ManifestEntry>().ToArrayAsync();
        Assert.DoesNotContain(remaining, e => e.BatchId == b1);
        Assert.Equal(s21.Count, remaining.Length);
    }
}

public sealed class ManifestFormatOnEmbedded(EmbeddedGateway app) : ManifestFormatTests<EmbeddedGateway>(app);

public sealed class ManifestFormatOnProduction(ProductionGateway app) : ManifestFormatTests<ProductionGateway>(app);
