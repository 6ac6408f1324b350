namespace VendorGate.Gateway.Batches;

/// <summary>A batch's statuses, stored and sent as these strings.</summary>
public static class BatchStatus
{
    public const string Open = "open";
    public const string Received = "received";
    public const string Scanning = "scanning";
    public const string Quarantined = "quarantined";
    public const string InReview = "in-review";
    public const string Approved = "approved";
    public const string Merged = "merged";
    public const string Rejected = "rejected";
    public const string Revoked = "revoked";

    public static readonly string[] All = [Open, Received, Scanning, Quarantined, InReview, Approved, Merged, Rejected, Revoked];

    /// <summary>Not yet decided: a revocation rejects these.</summary>
    public static readonly string[] Undecided = [Open, Received, Scanning, Quarantined, InReview];

    /// <summary>In the corpus (approved, or merged into a snapshot): a revocation revokes these.</summary>
    public static readonly string[] Accepted = [Approved, Merged];

    /// <summary>Received content that is not yet judged: the statuses a scan runs in.</summary>
    public static readonly string[] Pending = [Received, Scanning, Quarantined, InReview];
}

/// <summary>One move of the lifecycle: a batch in any of <see cref="From"/> goes to <see cref="To"/>.</summary>
public sealed record BatchTransition(string Name, string[] From, string To)
{
    public bool Allows(string status) => From.Contains(status);
}

/// <summary>The batch lifecycle, the product's core rule, in one place: every transition a batch can take. A batch
/// moves only along these (<see cref="Batch.Apply"/>, or a bulk update filtered on a transition's
/// <see cref="BatchTransition.From"/>); <c>BatchLifecycleTests</c> checks every status against every transition.
/// <code>
/// open ─upload→ received ─start-scan→ scanning ─quarantine→ quarantined ─override→ in-review ─approve→ approved ─merge→ merged
///                  ↑                         └──to-review──────────────────────────↗        └─reject→ rejected
///                  └──────────rescan─────────── quarantined
/// undecided (open … in-review) ─revoke→ rejected;  approved, merged ─revoke→ revoked
/// </code></summary>
public static class BatchLifecycle
{
    public static readonly BatchTransition Upload = new("upload", [BatchStatus.Open], BatchStatus.Received);
    public static readonly BatchTransition StartScan = new("start-scan", [BatchStatus.Received], BatchStatus.Scanning);
    public static readonly BatchTransition Quarantine = new("quarantine", [BatchStatus.Scanning], BatchStatus.Quarantined);
    public static readonly BatchTransition ToReview = new("to-review", [BatchStatus.Scanning], BatchStatus.InReview);
    public static readonly BatchTransition Rescan = new("rescan", [BatchStatus.Quarantined], BatchStatus.Received);
    public static readonly BatchTransition Override = new("override", [BatchStatus.Quarantined], BatchStatus.InReview);
    public static readonly BatchTransition Approve = new("approve", [BatchStatus.InReview], BatchStatus.Approved);
    public static readonly BatchTransition Reject = new("reject", [BatchStatus.InReview], BatchStatus.Rejected);
    public static readonly BatchTransition Merge = new("merge", [BatchStatus.Approved], BatchStatus.Merged);
    public static readonly BatchTransition RevokeUndecided = new("revoke-undecided", BatchStatus.Undecided, BatchStatus.Rejected);
    public static readonly BatchTransition RevokeAccepted = new("revoke-accepted", BatchStatus.Accepted, BatchStatus.Revoked);

    public static readonly BatchTransition[] All =
        [Upload, StartScan, Quarantine, ToReview, Rescan, Override, Approve, Reject, Merge, RevokeUndecided, RevokeAccepted];

    /// <summary>The revocation of <paramref name="status"/>: rejected if undecided, revoked if accepted, none if already out.</summary>
    public static BatchTransition? Revocation(string status) =>
        RevokeUndecided.Allows(status) ? RevokeUndecided : RevokeAccepted.Allows(status) ? RevokeAccepted : null;
}
