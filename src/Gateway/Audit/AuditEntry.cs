namespace VendorGate.Gateway.Audit;

/// <summary>One link of the audit hash chain: <c>hash = SHA-256(JCS({seq, at, actor, action, target, details, prevHash}))</c>.</summary>
public sealed class AuditEntry
{
    public long Seq { get; init; }
    public DateTimeOffset At { get; init; }
    public required string Actor { get; init; }
    public required string Action { get; init; }
    public required string Target { get; init; }

    /// <summary>Canonical JSON object.</summary>
    public required string Details { get; init; }

    public required string PrevHash { get; init; }
    public required string Hash { get; init; }
}
