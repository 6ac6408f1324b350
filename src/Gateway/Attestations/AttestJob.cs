using Hangfire;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Audit;

namespace VendorGate.Gateway.Attestations;

/// <summary>One kind of statement the Gateway signs in the background. Each feature registers its own (the receipt in
/// Attestations, the approval in Reviews, the snapshot in Snapshots, the revocation in Revocations, the gate in Eval); <see cref="AttestJob"/> signs them all alike.</summary>
public interface IAttestationKind
{
    /// <summary>The name a job carries: <c>receipt</c>, <c>approval</c>, <c>snapshot</c>.</summary>
    string Name { get; }

    /// <summary>The subject's attestation, tracked, and how to sign it; null when the subject is gone.</summary>
    Task<AttestationWork?> FindAsync(string id, CancellationToken cancellationToken);
}

/// <summary>What signing one attestation takes: where the envelope goes, the audit action and target, the statement
/// for a key, and for a co-signed statement the key pinned when it was prepared and the signatures already on it.</summary>
public sealed record AttestationWork(Attestation Attestation, string BlobName, string Action, string Target, Func<Jwk, Task<byte[]>> Statement)
{
    public Jwk? PinnedKey { get; init; }
    public IReadOnlyList<EnvelopeSignature>? Signatures { get; init; }

    /// <summary>What else changes, in the same save, once it is signed (a revocation completes).</summary>
    public Action? Then { get; init; }

    /// <summary>The same fact in a standard predicate, signed and stored before the statement itself (so a signed
    /// attestation has its companions): SLSA Provenance beside a snapshot, a Verification Summary beside an approval, a
    /// Test Result beside a canary gate.</summary>
    public IReadOnlyList<CompanionStatement> Companions { get; init; } = [];
}

/// <summary>A statement signed beside another, stored as <paramref name="BlobName"/>.</summary>
public sealed record CompanionStatement(string BlobName, Func<Jwk, Task<byte[]>> Statement);

/// <summary>Signs a pending attestation of any kind: the envelope is stored create-only, then the attestation is marked
/// signed and audited in one save. If the signer fails, it stays pending with the reason, the failure is audited, and
/// Hangfire retries with back-off: it is never signed with another key. A duplicate delivery finds it signed.</summary>
public sealed class AttestJob(IEnumerable<IAttestationKind> kinds, Attestor attestor, AuditLog audit)
{
    public static void Enqueue(IBackgroundJobClient jobs, string kind, string id) =>
        jobs.Enqueue<AttestJob>(job => job.RunAsync(kind, id, CancellationToken.None));

    [DisableConcurrentExecution("attest:{0}:{1}", 600)]
    public async Task RunAsync(string kind, string id, CancellationToken cancellationToken)
    {
        var work = await kinds.Single(k => k.Name == kind).FindAsync(id, cancellationToken);
        if (work is not { Attestation.IsPending: true })
        {
            return;
        }
        foreach (var companion in work.Companions)
        {
            await attestor.SignForJobAsync(companion.BlobName, companion.Statement, work.Action, work.Target, work.Attestation.Failed,
                cancellationToken: cancellationToken);
        }
        var signed = await attestor.SignForJobAsync(work.BlobName, work.Statement, work.Action, work.Target, work.Attestation.Failed,
            work.PinnedKey, work.Signatures, cancellationToken);
        work.Attestation.Signed(signed);
        work.Then?.Invoke();
        await audit.RecordAsync(Attestor.Actor, work.Action, work.Target, new { digest = signed.Digest, keyId = signed.KeyId }, cancellationToken);
    }
}
