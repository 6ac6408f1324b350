using System.Text.Json;

namespace VendorGate.Gateway.Compliance;

public sealed class ComplianceOptions
{
    public const string Section = "VendorGate:Compliance";

    /// <summary>Requirement ids to evaluate; none (the default) means all of them. Empty rather than all of them:
    /// configuration binding appends to an array it finds, so configured ids could never narrow a full default.</summary>
    public string[] Requirements { get; set; } = [];

    public int MinLabelEditLogRetentionDays { get; set; } = 365;
    public int AttributionWindowDays { get; set; } = 90;
    public int UnresolvedBlockingDays { get; set; } = 7;
    public int ExpiryWarningDays { get; set; } = 30;

    /// <summary>What happens to uploads from a non-compliant vendor: <c>refuse</c> (a 403 naming the failing requirements) or <c>warn</c>.</summary>
    public string Enforcement { get; set; } = "refuse";
}

public static class ComplianceStatus
{
    public const string Compliant = "compliant";
    public const string AtRisk = "at-risk";
    public const string NonCompliant = "non-compliant";
    public const string Unassessed = "unassessed";
}

public sealed record EvidenceRef(Guid Id, string Kind, string Digest, DateTimeOffset? ExpiresAt);

public sealed record Requirement(string Id, string Title, bool Met, string Detail, IReadOnlyList<EvidenceRef> Evidence, bool Warning = false);

/// <summary>A time-boxed permission procurement granted for a vendor that is not (yet) compliant.</summary>
public sealed record ExceptionRef(Guid Id, string Reason, DateTimeOffset ExpiresAt, Guid GrantedBy, DateTimeOffset GrantedAt);

/// <summary>The assessment. <see cref="Permitted"/>: the vendor may upload under the policy: compliant or at-risk, or an
/// exception is in force (unassessed and non-compliant vendors are refused without one).</summary>
public sealed record ComplianceReport(Guid VendorId, string Status, DateTimeOffset AssessedAt, IReadOnlyList<Requirement> Requirements,
    bool Permitted, ExceptionRef? Exception, int UnreviewedRevocations)
{
    public IEnumerable<Requirement> Failing => Requirements.Where(r => !r.Met);
}

/// <summary>What the policy is evaluated on, gathered from the database by <see cref="ComplianceService"/>.</summary>
public sealed record ComplianceFacts(
    IReadOnlyList<VendorEvidence> Evidence,
    int RecentBatches,
    IReadOnlyList<string> UnnamedSubmitters,
    int ActiveSigningKeys,
    IReadOnlyList<(Guid BatchId, DateTimeOffset Since)> LongQuarantined,
    int Revocations,
    DateTimeOffset? RevocationAcknowledgedAt,
    IReadOnlyList<ExceptionRef> Exceptions,
    int UnreviewedRevocations);

/// <summary>The compliance policy as a pure function of the facts and the time, so every requirement and boundary is testable.</summary>
public static class CompliancePolicy
{
    public const string Soc2 = "soc2-type2", Dpa = "dpa", Retention = "label-edit-log-retention", Attribution = "named-accountability",
        SigningKey = "vendor-signing-key", Blocking = "no-unresolved-blocking-findings", Revocation = "revocation-exercised";

    public static readonly string[] AllRequirements = [Soc2, Dpa, Retention, Attribution, SigningKey, Blocking, Revocation];

    public static ComplianceReport Evaluate(Guid vendorId, ComplianceFacts facts, ComplianceOptions options, DateTimeOffset now)
    {
        var verified = facts.Evidence.Where(e => e.VerifiedAt is not null).ToList();
        bool Valid(VendorEvidence e) => e.IssuedAt <= now && (e.ExpiresAt is null || e.ExpiresAt > now);
        bool Expiring(VendorEvidence e) => e.ExpiresAt is { } end && end <= now.AddDays(options.ExpiryWarningDays);
        static EvidenceRef Ref(VendorEvidence e) => new(e.Id, e.Kind, e.Digest, e.ExpiresAt);

        Requirement Document(string id, string title, string kind, string what)
        {
            var valid = verified.Where(e => e.Kind == kind && Valid(e)).OrderByDescending(e => e.ExpiresAt ?? DateTimeOffset.MaxValue).ToList();
            if (valid.Count > 0)
            {
                var best = valid[0];
                return new Requirement(id, title, true,
                    best.ExpiresAt is { } end ? $"{what} verified, valid until {end:yyyy-MM-dd}{(Expiring(best) ? $" (expires within {options.ExpiryWarningDays} days)" : "")}." : $"{what} verified, no expiry.",
                    [Ref(best)], Warning: Expiring(best));
            }
            var filed = facts.Evidence.Where(e => e.Kind == kind).ToList();
            var detail = filed.Count == 0 ? $"No {what} on file."
                : filed.All(e => e.VerifiedAt is null) ? $"A {what} is on file but not yet verified by procurement."
                : $"The {what} on file expired on {filed.Max(e => e.ExpiresAt):yyyy-MM-dd}.";
            return new Requirement(id, title, false, detail, filed.Select(Ref).ToList());
        }

        var all = new Dictionary<string, Func<Requirement>>
        {
            [Soc2] = () => Document(Soc2, "A valid, unexpired SOC 2 Type II report", EvidenceKinds.Soc2Type2, "SOC 2 Type II report"),
            [Dpa] = () => Document(Dpa, "A data processing agreement on file", EvidenceKinds.Dpa, "data processing agreement"),
            [Retention] = () =>
            {
                var policies = verified.Where(e => e.Kind == EvidenceKinds.RetentionPolicy && Valid(e))
                    .Select(e => (Evidence: e, Days: RetentionDays(e))).Where(p => p.Days is not null).OrderByDescending(p => p.Days).ToList();
                var title = $"Label-edit logs kept at least {options.MinLabelEditLogRetentionDays} days";
                if (policies.Count == 0)
                {
                    return new Requirement(Retention, title, false, "No verified retention policy declaring labelEditLogRetentionDays.", []);
                }
                var (best, days) = policies[0];
                return days >= options.MinLabelEditLogRetentionDays
                    ? new Requirement(Retention, title, true, $"Declared {days} days.", [Ref(best)], Warning: Expiring(best))
                    : new Requirement(Retention, title, false, $"Declared {days} days, below {options.MinLabelEditLogRetentionDays}.", [Ref(best)]);
            },
            [Attribution] = () =>
            {
                var title = $"Every batch of the last {options.AttributionWindowDays} days attributed to a named annotator";
                return facts.UnnamedSubmitters.Count == 0
                    ? new Requirement(Attribution, title, true, $"{facts.RecentBatches} batch(es), each by an annotator on the roster with a name.", [])
                    : new Requirement(Attribution, title, false,
                        $"Batches were submitted by roster members without a display name: {string.Join(", ", facts.UnnamedSubmitters.Take(10))}.", []);
            },
            [SigningKey] = () => new Requirement(SigningKey, "A vendor signing key registered", facts.ActiveSigningKeys > 0,
                facts.ActiveSigningKeys > 0 ? $"{facts.ActiveSigningKeys} active key(s)." : "No active vendor signing key: batches cannot be co-signed.", []),
            [Blocking] = () =>
            {
                var title = $"No blocking finding unresolved for more than {options.UnresolvedBlockingDays} days";
                var old = facts.LongQuarantined.Where(q => q.Since < now.AddDays(-options.UnresolvedBlockingDays)).ToList();
                return old.Count == 0
                    ? new Requirement(Blocking, title, true, "No batch has waited in quarantine that long.", [])
                    : new Requirement(Blocking, title, false,
                        $"{old.Count} batch(es) quarantined since {old.Min(q => q.Since):yyyy-MM-dd}, e.g. {old[0].BatchId}.", []);
            },
            [Revocation] = () => new Requirement(Revocation, "Revocation exercised or acknowledged",
                facts.Revocations > 0 || facts.RevocationAcknowledgedAt is not null,
                facts.UnreviewedRevocations > 0
                    ? $"{facts.UnreviewedRevocations} revocation(s) for cause not yet reviewed by procurement (POST /v1/vendors/{{id}}/revocation-reviews): at risk until then."
                : facts.Revocations > 0 ? $"{facts.Revocations} revocation(s) of this vendor's annotators or batches carried out, each reviewed."
                : facts.RevocationAcknowledgedAt is { } at ? $"The revocation procedure was acknowledged on {at:yyyy-MM-dd}."
                : "Neither exercised nor acknowledged (POST /v1/vendors/{id}/revocation-acknowledgement).", [],
                Warning: facts.UnreviewedRevocations > 0),
        };
        var requirements = (options.Requirements is [] ? AllRequirements : options.Requirements).Where(all.ContainsKey).Select(id => all[id]()).ToList();
        var status = facts.Evidence.Count == 0 ? ComplianceStatus.Unassessed
            : requirements.Any(r => !r.Met) ? ComplianceStatus.NonCompliant
            : requirements.Any(r => r.Warning) || facts.UnreviewedRevocations > 0 ? ComplianceStatus.AtRisk
            : ComplianceStatus.Compliant;
        var exception = facts.Exceptions.Where(e => e.GrantedAt <= now && e.ExpiresAt > now).MaxBy(e => e.ExpiresAt);
        var permitted = status is ComplianceStatus.Compliant or ComplianceStatus.AtRisk || exception is not null;
        return new ComplianceReport(vendorId, status, now, requirements, permitted, exception, facts.UnreviewedRevocations);
    }

    public static int? RetentionDays(VendorEvidence evidence)
    {
        using var declared = JsonDocument.Parse(evidence.Declared);
        return declared.RootElement.TryGetProperty("labelEditLogRetentionDays", out var days) && days.TryGetInt32(out var n) ? n : null;
    }
}
