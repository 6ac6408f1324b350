using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Webhooks;

namespace VendorGate.Gateway.Eval;

/// <summary>Evaluates a model's canary gate against its predecessor (the model on the nearest ancestor snapshot) or a named
/// baseline, and signs the result as an in-toto statement about the model. The statement names exactly the results it
/// judged and no time, so asking again with the same results returns the same signed statement.</summary>
public sealed class CanaryGate(VendorGateDb db, IBlobStore blobs, AttestJob attest, IBackgroundJobClient jobs, ILogger<CanaryGate> logger, TimeProvider time)
{
    public const string PredicateType = "https://vendorgate.dev/attestations/model-gate/v1";

    public sealed record Outcome(GateView? View, string? Problem);

    public async Task<Outcome> EvaluateAsync(Model model, string? baselineName, CancellationToken ct)
    {
        var snapshot = await SnapshotsApi.FindAsync(db, model.SnapshotVersion, ct);
        if (snapshot is null)
        {
            return new Outcome(null, $"the snapshot {model.SnapshotVersion} of model {model.Name} is missing");
        }
        Model? baseline;
        if (baselineName is not null)
        {
            baseline = await db.Set<Model>().AsNoTracking().FirstOrDefaultAsync(m => m.Name == baselineName, ct);
            if (baseline is null)
            {
                return new Outcome(null, $"there is no model named '{baselineName}' to use as the baseline");
            }
        }
        else
        {
            baseline = await PredecessorAsync(snapshot, ct);
        }

        var required = await RequiredAsync(snapshot, ct);
        var results = await db.CanaryResults.AsNoTracking().Where(r => r.ModelName == model.Name).ToDictionaryAsync(r => r.ProbeId, r => r.Passed, ct);
        var passedBefore = baseline is null ? [] : await db.CanaryResults.AsNoTracking()
            .Where(r => r.ModelName == baseline.Name && r.Passed).Select(r => r.ProbeId).ToListAsync(ct);
        var regressed = passedBefore.Where(p => results.TryGetValue(p, out var passed) && !passed).Order(StringComparer.Ordinal).ToList();
        var missing = required.Concat(passedBefore).Where(p => !results.ContainsKey(p)).Distinct().Order(StringComparer.Ordinal).ToList();
        var probes = await db.CanaryProbes.AsNoTracking().Where(p => regressed.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        // Fails closed: nothing required (no probes at all) or nothing evaluated is not a pass.
        var passed = required.Count > 0 && results.Count > 0 && regressed.Count == 0 && missing.Count == 0;

        var statement = Statement(model, snapshot, baseline, passed, required, regressed, missing, results);
        var canonical = statement.ToCanonicalJson();
        var statementDigest = BatchDigest.Format(SHA256.HashData(canonical));
        var attestation = await AttestAsync(model, baseline, passed, canonical, statementDigest, ct);
        var view = new GateView(model.Name, model.SnapshotVersion, baseline is null ? null : new GateBaseline(baseline.Name, baseline.SnapshotVersion),
            passed, results.Count, required,
            regressed.Select(id => new Regression(id, probes.GetValueOrDefault(id)?.Prompt ?? "", probes.GetValueOrDefault(id)?.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [])).ToList(),
            missing, statementDigest, attestation);
        return new Outcome(view, null);
    }

    /// <summary>The probes a model on <paramref name="snapshot"/> must have results for: those the eval coverage maps to
    /// the snapshot's domains, or, when no coverage names any, every defined probe; retired probes never.</summary>
    private async Task<List<string>> RequiredAsync(Snapshot snapshot, CancellationToken ct)
    {
        var domains = System.Text.Json.JsonSerializer.Deserialize<List<string>>(snapshot.Domains) ?? [];
        var coverage = await db.EvalCoverage.AsNoTracking().Where(c => domains.Contains(c.Domain)).Select(c => c.ProbeIds).ToListAsync(ct);
        var covered = coverage.SelectMany(json => System.Text.Json.JsonSerializer.Deserialize<string[]>(json) ?? []).Distinct(StringComparer.Ordinal).ToList();
        var active = db.CanaryProbes.AsNoTracking().Where(p => p.RetiredAt == null);
        var ids = covered.Count > 0
            ? await active.Where(p => covered.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct)
            : await active.Select(p => p.Id).ToListAsync(ct);
        return ids.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The model trained on the nearest ancestor snapshot that has one (the latest registered, if several).</summary>
    private async Task<Model?> PredecessorAsync(Snapshot snapshot, CancellationToken ct)
    {
        var parent = snapshot.Parent;
        while (parent is not null)
        {
            var model = (await db.Set<Model>().AsNoTracking().Where(m => m.SnapshotVersion == parent).ToListAsync(ct)).MaxBy(m => m.CreatedAt);
            if (model is not null)
            {
                return model;
            }
            parent = (await SnapshotsApi.FindAsync(db, parent, ct))?.Parent;
        }
        return null;
    }

    private static Statement Statement(Model model, Snapshot snapshot, Model? baseline, bool passed, List<string> required, List<string> regressed,
        List<string> missing, Dictionary<string, bool> results)
    {
        var predicate = new JsonObject
        {
            ["model"] = model.Name,
            ["snapshotVersion"] = model.SnapshotVersion,
            ["baseline"] = baseline is null ? null : new JsonObject { ["model"] = baseline.Name, ["snapshotVersion"] = baseline.SnapshotVersion },
            ["passed"] = passed,
            ["required"] = new JsonArray(required.Select(r => (JsonNode)r).ToArray()),
            ["evaluated"] = results.Count,
            ["regressions"] = new JsonArray(regressed.Select(r => (JsonNode)r).ToArray()),
            ["missing"] = new JsonArray(missing.Select(r => (JsonNode)r).ToArray()),
            ["results"] = new JsonArray(results.OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => (JsonNode)new JsonObject { ["probeId"] = r.Key, ["passed"] = r.Value }).ToArray()),
        };
        return new Statement([new Subject($"model:{model.Name}", snapshot.ManifestDigest["sha256:".Length..])], PredicateType, predicate);
    }

    /// <summary>The gate of this statement, recorded once (with the statement, write-once) and signed now if the signer
    /// answers; otherwise the verdict stands and <see cref="AttestJob"/> signs it in the background.</summary>
    private async Task<AttestationView> AttestAsync(Model model, Model? baseline, bool passed, byte[] statement, string statementDigest, CancellationToken ct)
    {
        var gate = await FindGateAsync(model.Name, statementDigest, ct);
        if (gate is null)
        {
            await blobs.WriteOnceAsync(ModelGateAttestation.StatementBlob(model.Name, statementDigest), statement, ct);
            var evaluated = new ModelGate
            {
                ModelName = model.Name, Baseline = baseline?.Name, Passed = passed, StatementDigest = statementDigest,
                Blob = ModelGateAttestation.BlobName(model.Name, statementDigest), CreatedAt = time.Now(), Attestation = Attestation.Pending(),
            };
            db.ModelGates.Add(evaluated);
            WebhookEvents.Publish(db, WebhookEvents.GateEvaluated, null,
                new { model = model.Name, baseline = baseline?.Name, passed, statementDigest, snapshotVersion = model.SnapshotVersion }, evaluated.CreatedAt);
            await SaveAsync(ct);
            gate = (await FindGateAsync(model.Name, statementDigest, ct))!;
        }
        if (gate.Attestation.IsPending)
        {
            try
            {
                await attest.RunAsync(ModelGateAttestation.Kind, gate.Id.ToString(), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Recorded on the gate and audited by the job; the verdict stands and the signature follows.
                logger.LogWarning("Signing the gate of model {Model} failed; it will be retried: {Reason}", model.Name, Attestor.Describe(e));
                AttestJob.Enqueue(jobs, ModelGateAttestation.Kind, gate.Id.ToString());
            }
            gate = (await FindGateAsync(model.Name, statementDigest, ct))!;
        }
        return gate.Attestation.View()!;
    }

    private Task<ModelGate?> FindGateAsync(string model, string statementDigest, CancellationToken ct) =>
        db.ModelGates.AsNoTracking().FirstOrDefaultAsync(g => g.ModelName == model && g.StatementDigest == statementDigest, ct);

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // another request recorded the same gate first: same statement, same envelope
        }
    }
}
