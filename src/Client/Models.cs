namespace VendorGate.Client;

// The Gateway's JSON (camelCase), as records. Only what clients read; unknown members are ignored, so the Gateway
// can add fields without breaking a client.

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public sealed record OidcIdentity(string Issuer, string? Subject, string? Email);

public sealed record Principal(Guid Id, string Kind, string Handle, string? DisplayName, Guid? VendorId, IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, bool Service, OidcIdentity? Oidc);

public sealed record Attestation(string State, string? Digest, string? KeyId, string? Error);

public sealed record Submitter(Guid Id, string Handle);

public sealed record Finding(string Code, string Severity, string Message, IReadOnlyList<long> Lines, IReadOnlyList<string> Evidence);

public sealed record Review(Guid ReviewerId, string Reviewer, string Decision, string? Comment, DateTimeOffset At);

public sealed record FindingOverride(Guid SecurityId, string By, IReadOnlyList<string> FindingCodes, string Justification, DateTimeOffset At);

public sealed record ScanProgress(long Scanned, long Total);

public sealed record Batch(Guid Id, string Status, Guid? VendorId, Submitter Submitter, string Justification, string License, string Source,
    IReadOnlyList<string> DeclaredDomains, Guid? ParentBatchId, string? IdempotencyKey, long? Count, string? Digest, long? ContentBytes,
    DateTimeOffset CreatedAt, DateTimeOffset? ReceivedAt, DateTimeOffset? ScannedAt, ScanProgress? Scan, IReadOnlyList<Finding> Findings,
    IReadOnlyList<Review> Reviews, IReadOnlyList<FindingOverride> Overrides, Attestation? Attestation, Attestation? Approval);

public sealed record Snapshot(string Version, string? Parent, string Message, long Count, string ManifestDigest, long Removed, long DuplicatesSkipped,
    IReadOnlyDictionary<string, long> ByVendor, IReadOnlyDictionary<string, long> ByAnnotator, IReadOnlyDictionary<string, long> ByDomain,
    DateTimeOffset CreatedAt, Attestation Attestation);

public sealed record AffectedSnapshot(string Version, long Count);

public sealed record AffectedModel(string Name, string Snapshot, long Count);

public sealed record Revocation(Guid Id, string Status, Guid? AnnotatorId, Guid? BatchId, string Reason, Guid RequestedBy, DateTimeOffset RequestedAt,
    IReadOnlyList<Guid> Batches, string? NewSnapshot, long RemovedCount, IReadOnlyList<AffectedSnapshot> AffectedSnapshots,
    IReadOnlyList<AffectedModel> AffectedModels, DateTimeOffset? CompletedAt, string? AttestationDigest, string? Error);

public sealed record AuditEntry(long Seq, DateTimeOffset At, string Actor, string Action, string Target,
    System.Text.Json.JsonElement Details, string PrevHash, string Hash);

public sealed record AuditVerification(bool Valid, long Entries, string Head, long? FirstInvalidSeq, string? Reason);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, long? Next);
