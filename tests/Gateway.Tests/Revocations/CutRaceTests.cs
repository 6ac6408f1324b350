using System.Net;
using System.Net.Http.Json;
using VendorGate.Client;
using VendorGate.Gateway.Tests.Infrastructure;
using static VendorGate.Gateway.Tests.Infrastructure.HttpExtensions;

namespace VendorGate.Gateway.Tests.Revocations;

/// <summary>Cuts raced against revocations: whichever commits first, no snapshot committed after a revocation lists
/// the revoked batch (the cut re-checks eligibility in the transaction that commits it).</summary>
public abstract class CutRaceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private const int Rounds = 12;
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task A_batch_revoked_while_a_snapshot_is_cut_never_enters_it()
    {
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var (_, security) = await _actors.NewStaffAsync("security");
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        // A parent of some size, so that a cut takes long enough to be overtaken.
        var bulk = await _actors.NewVendorAsync();
        var parent = await Actors.ApprovedBatchAsync(bulk.Annotator, maintainer, Actors.Examples(20_000));
        await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "parent", batchIds = new[] { parent } });

        var revoked = new List<(Guid Batch, string Target)>();
        for (var round = 0; round < Rounds; round++)
        {
            var vendor = await _actors.NewVendorAsync();
            var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(50));
            object target = round % 2 == 0 ? new { batchId = batch, reason = "race: batch revoked during a cut" }
                : new { annotatorId = vendor.AnnotatorId, reason = "race: annotator revoked during a cut" };
            Task<HttpResponseMessage> cut, revocation;
            if (round % 3 == 0)
            {
                revocation = security.PostAsJsonAsync("/v1/revocations", target);
                cut = maintainer.PostAsJsonAsync("/v1/snapshots", new { message = $"race {round}" });
            }
            else
            {
                cut = maintainer.PostAsJsonAsync("/v1/snapshots", new { message = $"race {round}" });
                revocation = security.PostAsJsonAsync("/v1/revocations", target);
            }
            var (cutResponse, revocationResponse) = (await cut, await revocation);
            Assert.Equal(HttpStatusCode.Accepted, revocationResponse.StatusCode);
            Assert.True(cutResponse.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict,
                $"cut → {(int)cutResponse.StatusCode}: {await cutResponse.Content.ReadAsStringAsync()}");
            var id = (await revocationResponse.Json<RevocationAccepted>()).Id;
            await PollAsync(() => security.Typed().GetRevocationAsync(id), r => r.Status == "completed");
            revoked.Add((batch, round % 2 == 0 ? $"batch:{batch}" : $"principal:{vendor.AnnotatorId}"));
        }

        var entries = await auditor.AuditEntriesAsync();
        foreach (var (batch, target) in revoked)
        {
            var revokedAt = entries.Single(e => e.Action == "revocation.request" && e.Target == target)
                .Seq;
            var laterCuts = entries.Where(e => e.Action == "snapshot.cut" && e.Seq > revokedAt
                && e.Details.GetProperty("batches").EnumerateArray().Any(b => b.GetGuid() == batch)).ToList();
            Assert.True(laterCuts.Count == 0, $"batch {batch} revoked at seq {revokedAt} was merged by {string.Join(", ", laterCuts.Select(c => c.Target))}");
        }
        // Whichever won, the latest snapshot holds none of the revoked batches.
        var latest = (await maintainer.GetOk<SnapshotViewPage>("/v1/snapshots?limit=1")).Items[0].Version;
        Assert.Equal(20_000, (await maintainer.Typed().GetSnapshotAsync(latest)).Count);
    }
}

public sealed class CutRaceOnEmbedded(EmbeddedGateway app) : CutRaceTests<EmbeddedGateway>(app);

public sealed class CutRaceOnProduction(ProductionGateway app) : CutRaceTests<ProductionGateway>(app);
