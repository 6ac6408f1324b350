using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Attest.Canonical;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Attest.Transparency;
using VendorGate.Client;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Tests.Infrastructure;
using ConsistencyProofView = VendorGate.Client.ConsistencyProofView;
using InclusionProofView = VendorGate.Client.InclusionProofView;
using Jwk = VendorGate.Attest.Signing.Jwk;
using JsonWebKeySet = VendorGate.Attest.Signing.JsonWebKeySet;

namespace VendorGate.Gateway.Tests.Audit;

/// <summary>The audit log as a Merkle tree with signed checkpoints: proofs that verify, and a kept checkpoint that
/// catches a log truncated, wiped or rewritten (chain recomputed) behind the Gateway's back.</summary>
public abstract class AuditCheckpointTests<TApp>(TApp app) : IClassFixture<TApp>, IDisposable where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);
    private readonly string _dir = Directory.CreateTempSubdirectory("vg-audit-").FullName;

    private async Task<JsonWebKeySet> KeysAsync() =>
        JsonWebKeySet.Parse(await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));

    private static async Task<string> CheckpointAsync(HttpClient auditor, long? size = null)
    {
        var response = await auditor.GetAsync("/v1/audit/checkpoint" + (size is { } n ? $"?size={n}" : ""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static string Url(string note) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(note));

    private static Task<AuditVerificationView> VerifyAgainstAsync(HttpClient auditor, string note) =>
        auditor.GetOk<AuditVerificationView>($"/v1/audit/verify?checkpoint={Url(note)}");

    private string Save(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task A_signed_checkpoint_proves_inclusion_and_consistency_online_and_offline()
    {
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        await _actors.NewVendorAsync();
        var older = await CheckpointAsync(auditor);
        var (first, firstSignatures) = Checkpoint.Parse(older);
        Assert.Equal("vendorgate.local/audit", first.Origin);
        Assert.NotNull(first.VerifiedBy(firstSignatures, await KeysAsync()));

        await _actors.NewVendorAsync();
        var newer = await CheckpointAsync(auditor);
        var (second, _) = Checkpoint.Parse(newer);
        Assert.True(second.Size > first.Size);
        var consistency = await auditor.GetOk<ConsistencyProofView>($"/v1/audit/proofs/consistency?from={first.Size}&to={second.Size}");
        var proof = consistency.Proof.Select(p => Convert.FromBase64String(p!)).ToList();
        Assert.True(MerkleTree.VerifyConsistency(first.Size, second.Size, first.RootHash, second.RootHash, proof));

        // The last entry of the newer tree, recomputed from what GET /v1/audit shows, is in it: its leaf is the
        // entry without its hash, `at` in UTC to the millisecond, canonical JSON.
        var entries = await auditor.AuditEntriesAsync();
        var last = entries[(int)second.Size - 1];
        var leaf = JsonNode.Parse(HttpExtensions.Canonical(last))!.AsObject();
        leaf.Remove("hash");
        leaf["at"] = last.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var leafHash = MerkleTree.LeafHash(JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(leaf.ToJsonString())));
        var inclusion = await auditor.GetOk<InclusionProofView>($"/v1/audit/proofs/inclusion?seq={last.Seq}&size={second.Size}");
        Assert.Equal(Convert.ToBase64String(leafHash), inclusion.LeafHash);
        Assert.True(MerkleTree.VerifyInclusion(second.Size - 1, second.Size, leafHash,
            inclusion.Proof.Select(p => Convert.FromBase64String(p!)).ToList(), second.RootHash));

        var online = await VerifyAgainstAsync(auditor, older);
        Assert.True(online.Valid, online.ToString());
        Assert.True(online.Checkpoint!.Consistent);

        var keys = Save("keys.json", await app.ClientFor(null).GetStringAsync("/.well-known/vendorgate/keys"));
        var (code, output) = VerifyCli.Run("audit", Save("old.checkpoint", older), Save("new.checkpoint", newer),
            Save("proof.json", HttpExtensions.Canonical(consistency)), "--keys", keys);
        Assert.True(code == 0, output);
        Assert.Contains($"VALID: the log of {second.Size} entries extends the checkpoint of {first.Size}", output);
        (code, output) = VerifyCli.Run("audit", Save("new2.checkpoint", newer), Save("old2.checkpoint", older), "--keys", keys);
        Assert.True(code == 1, output);
        Assert.Contains("truncated", output);
    }

    [Fact]
    public async Task A_kept_checkpoint_catches_a_truncated_a_wiped_and_a_rewritten_log()
    {
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        await _actors.NewVendorAsync();
        var kept = await CheckpointAsync(auditor);
        await _actors.NewVendorAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var original = await db.AuditEntries.AsNoTracking().OrderBy(a => a.Seq).ToListAsync();
        var size = Checkpoint.Parse(kept).Checkpoint.Size;
        try
        {
            // Truncated back to before the checkpoint: the chain that is left still verifies on its own.
            await db.AuditEntries.Where(a => a.Seq > size - 2).ExecuteDeleteAsync();
            Assert.True((await auditor.GetOk<AuditVerificationView>("/v1/audit/verify")).Valid);
            var truncated = await VerifyAgainstAsync(auditor, kept);
            Assert.False(truncated.Valid);
            Assert.Contains("truncated", truncated.Reason);

            // Wiped.
            await db.AuditEntries.ExecuteDeleteAsync();
            Assert.False((await auditor.GetOk<AuditVerificationView>("/v1/audit/verify")).Valid);
            Assert.Contains("truncated", (await VerifyAgainstAsync(auditor, kept)).Reason);

            // Rewritten: entry 3 edited and every hash after it recomputed, so the chain verifies again.
            await RestoreAsync(db, original, rewriteFrom: 3);
            Assert.True((await auditor.GetOk<AuditVerificationView>("/v1/audit/verify")).Valid);
            var rewritten = await VerifyAgainstAsync(auditor, kept);
            Assert.False(rewritten.Valid);
            Assert.Contains("removed or rewritten", rewritten.Reason);

            // The Gateway signs a checkpoint of the rewritten log, but no proof leads to it from the kept one.
            var forged = await CheckpointAsync(auditor);
            var proof = await auditor.GetOk<ConsistencyProofView>($"/v1/audit/proofs/consistency?from={size}&to={Checkpoint.Parse(forged).Checkpoint.Size}");
            var keys = Save("keys.json", await app.ClientFor(null).GetStringAsync("/.well-known/vendorgate/keys"));
            var (code, output) = VerifyCli.Run("audit", Save("kept.checkpoint", kept), Save("forged.checkpoint", forged), Save("proof.json", HttpExtensions.Canonical(proof)), "--keys", keys);
            Assert.True(code == 1, output);
            Assert.Contains("rewritten", output);
        }
        finally
        {
            await RestoreAsync(db, original, rewriteFrom: null);
        }
        Assert.True((await VerifyAgainstAsync(auditor, kept)).Valid);
    }

    /// <summary>Puts <paramref name="entries"/> back as the whole log; with <paramref name="rewriteFrom"/>, that entry's
    /// actor is changed and its hash and every later link recomputed, as a forger with database access would.</summary>
    private static async Task RestoreAsync(VendorGateDb db, List<AuditEntry> entries, long? rewriteFrom)
    {
        await db.AuditEntries.ExecuteDeleteAsync();
        var prev = AuditLog.Genesis;
        foreach (var e in entries)
        {
            var forge = rewriteFrom is { } from && e.Seq >= from;
            var actor = forge && e.Seq == rewriteFrom ? "principal:nobody" : e.Actor;
            var prevHash = forge ? prev : e.PrevHash;
            var hash = forge ? AuditLog.ComputeHash(e.Seq, e.At, actor, e.Action, e.Target, e.Details, prevHash) : e.Hash;
            db.AuditEntries.Add(new AuditEntry
            {
                Seq = e.Seq, At = e.At, Actor = actor, Action = e.Action, Target = e.Target, Details = e.Details, PrevHash = prevHash, Hash = hash,
            });
            prev = hash;
        }
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
    }

    [Fact]
    public async Task Every_snapshot_statement_pins_the_log_at_its_cut()
    {
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        var (_, maintainer) = await _actors.NewStaffAsync("maintainer");
        var vendor = await _actors.NewVendorAsync();
        var batch = await Actors.ApprovedBatchAsync(vendor.Annotator, maintainer, Actors.Examples(3));
        var version = (await maintainer.PostOk<SnapshotView>("/v1/snapshots", new { message = "pinned", batchIds = new[] { batch } })).Version;
        await HttpExtensions.PollAsync(() => maintainer.Typed().GetSnapshotAsync(version), s => s.Attestation.State == "signed");

        var envelope = Envelope.Parse(await maintainer.GetByteArrayAsync($"/v1/snapshots/{version}/attestation"));
        var note = JsonNode.Parse(envelope.Payload)!["predicate"]!["auditCheckpoint"]!.GetValue<string>();
        var (checkpoint, signatures) = Checkpoint.Parse(note);
        Assert.NotNull(checkpoint.VerifiedBy(signatures, await KeysAsync()));
        var entries = await auditor.AuditEntriesAsync();
        var cut = entries.Single(e => e.Action == "snapshot.cut" && e.Target == $"snapshot:{version}");
        Assert.Equal(cut.Seq, entries[(int)checkpoint.Size - 1].Seq);
        Assert.True((await VerifyAgainstAsync(auditor, note)).Valid);
    }

    [Fact]
    public async Task Bad_checkpoints_and_proof_requests_are_clear_4xx_or_invalid()
    {
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        await (await auditor.GetAsync("/v1/audit/verify?checkpoint=%%%")).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await auditor.GetAsync($"/v1/audit/verify?checkpoint={Url("not a note\n")}")).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await auditor.GetAsync("/v1/audit/proofs/inclusion")).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await auditor.GetAsync("/v1/audit/proofs/inclusion?seq=999999999")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await auditor.GetAsync("/v1/audit/proofs/consistency?from=0")).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await auditor.GetAsync("/v1/audit/proofs/consistency?from=1&to=999999999")).AssertProblem(HttpStatusCode.BadRequest, "validation");
        await (await auditor.GetAsync("/v1/audit/checkpoint?size=999999999")).AssertProblem(HttpStatusCode.NotFound, "not-found");

        // A checkpoint signed by a key that is not the Gateway's proves nothing.
        using var stranger = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var (real, _) = Checkpoint.Parse(await CheckpointAsync(auditor));
        var signature = Checkpoint.ToDer(stranger.SignData(Encoding.UTF8.GetBytes(real.Text), System.Security.Cryptography.HashAlgorithmName.SHA256));
        var foreign = real.ToNote(real.Origin, Checkpoint.KeyId(Jwk.FromECDsa(stranger)), signature);
        var verdict = await VerifyAgainstAsync(auditor, foreign);
        Assert.False(verdict.Valid);
        Assert.Contains("no signature", verdict.Reason);
        var vendor = await _actors.NewVendorAsync();
        await (await vendor.Annotator.GetAsync("/v1/audit/checkpoint")).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

public sealed class AuditCheckpointOnEmbedded(EmbeddedGateway app) : AuditCheckpointTests<EmbeddedGateway>(app);

public sealed class AuditCheckpointOnProduction(ProductionGateway app) : AuditCheckpointTests<ProductionGateway>(app);
