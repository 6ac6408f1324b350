using VendorGate.Gateway.Compliance;

namespace VendorGate.Gateway.Tests.Compliance;

/// <summary>The policy as a pure function: every requirement met and unmet, and the expiry boundaries.</summary>
public sealed class CompliancePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Vendor = Guid.NewGuid();
    private static readonly ComplianceOptions Options = new();

    private static VendorEvidence Evidence(string kind, DateTimeOffset? expires, bool verified = true, string declared = "{}", int issuedDaysAgo = 100) => new()
    {
        VendorId = Vendor, Kind = kind, IssuedAt = Now.AddDays(-issuedDaysAgo), ExpiresAt = expires, Declared = declared, FileName = "f.pdf",
        ContentType = "application/pdf", Blob = "b", Digest = "sha256:" + new string('a', 64), VerifiedAt = verified ? Now.AddDays(-1) : null,
    };

    /// <summary>Everything a compliant vendor has.</summary>
    private static ComplianceFacts Good(params VendorEvidence[] replace)
    {
        List<VendorEvidence> evidence =
        [
            Evidence(EvidenceKinds.Soc2Type2, Now.AddDays(200)),
            Evidence(EvidenceKinds.Dpa, null),
            Evidence(EvidenceKinds.RetentionPolicy, Now.AddDays(300), declared: """{"labelEditLogRetentionDays":400}"""),
        ];
        foreach (var r in replace)
        {
            evidence.RemoveAll(e => e.Kind == r.Kind);
            evidence.Add(r);
        }
        return new ComplianceFacts(evidence, 12, [], 1, [], 0, Now.AddDays(-3), [], 0);
    }

    private static ComplianceReport Evaluate(ComplianceFacts facts) => CompliancePolicy.Evaluate(Vendor, facts, Options, Now);

    private static Requirement Get(ComplianceReport report, string id) => report.Requirements.Single(r => r.Id == id);

    [Fact]
    public void A_vendor_with_everything_is_compliant_and_every_requirement_names_its_evidence()
    {
        var report = Evaluate(Good());
        Assert.Equal(ComplianceStatus.Compliant, report.Status);
        Assert.Equal(CompliancePolicy.AllRequirements, report.Requirements.Select(r => r.Id));
        Assert.All(report.Requirements, r => Assert.True(r.Met, r.Id));
        Assert.Single(Get(report, CompliancePolicy.Soc2).Evidence);
        Assert.Equal(EvidenceKinds.RetentionPolicy, Get(report, CompliancePolicy.Retention).Evidence[0].Kind);
    }

    [Fact]
    public void No_evidence_at_all_is_unassessed()
    {
        var report = Evaluate(Good() with { Evidence = [] });
        Assert.Equal(ComplianceStatus.Unassessed, report.Status);
        Assert.False(Get(report, CompliancePolicy.Soc2).Met);
    }

    [Fact]
    public void Unassessed_and_non_compliant_vendors_are_not_permitted_and_compliant_and_at_risk_ones_are()
    {
        Assert.False(Evaluate(Good() with { Evidence = [] }).Permitted);
        Assert.False(Evaluate(Good(Evidence(EvidenceKinds.Soc2Type2, Now.AddDays(-1)))).Permitted);
        Assert.True(Evaluate(Good(Evidence(EvidenceKinds.Soc2Type2, Now.AddDays(10)))).Permitted);
        Assert.True(Evaluate(Good()).Permitted);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]  // an exception ending now has ended
    [InlineData(-5, false)]
    public void An_exception_permits_an_unassessed_vendor_until_it_expires_and_changes_no_status(int minutesLeft, bool permitted)
    {
        var exception = new ExceptionRef(Guid.NewGuid(), "onboarding", Now.AddMinutes(minutesLeft), Guid.NewGuid(), Now.AddDays(-10));
        var report = Evaluate(Good() with { Evidence = [], Exceptions = [exception] });
        Assert.Equal(ComplianceStatus.Unassessed, report.Status);
        Assert.Equal(permitted, report.Permitted);
        Assert.Equal(permitted ? exception : null, report.Exception);
    }

    [Fact]
    public void An_unreviewed_revocation_puts_a_compliant_vendor_at_risk_but_not_a_non_compliant_one_back_to_at_risk()
    {
        var report = Evaluate(Good() with { Revocations = 1, UnreviewedRevocations = 1 });
        Assert.Equal(ComplianceStatus.AtRisk, report.Status);
        Assert.True(Get(report, CompliancePolicy.Revocation).Warning);
        Assert.Equal(ComplianceStatus.NonCompliant,
            Evaluate(Good(Evidence(EvidenceKinds.Soc2Type2, Now.AddDays(-1))) with { Revocations = 1, UnreviewedRevocations = 1 }).Status);
        Assert.Equal(ComplianceStatus.Compliant, Evaluate(Good() with { Revocations = 1, UnreviewedRevocations = 0 }).Status);
    }

    [Theory]
    [InlineData(31, ComplianceStatus.Compliant, true)]
    [InlineData(30, ComplianceStatus.AtRisk, true)]   // expires within 30 days: a warning
    [InlineData(1, ComplianceStatus.AtRisk, true)]
    [InlineData(0, ComplianceStatus.NonCompliant, false)] // expiring now is expired
    [InlineData(-1, ComplianceStatus.NonCompliant, false)]
    public void Soc2_expiry_boundaries(int daysLeft, string status, bool met)
    {
        var report = Evaluate(Good(Evidence(EvidenceKinds.Soc2Type2, Now.AddDays(daysLeft))));
        Assert.Equal(status, report.Status);
        Assert.Equal(met, Get(report, CompliancePolicy.Soc2).Met);
    }

    [Fact]
    public void Soc2_needs_type_two_verified_and_already_issued()
    {
        Assert.False(Get(Evaluate(Good(Evidence(EvidenceKinds.Soc2Type2, Now.AddDays(100), verified: false))), CompliancePolicy.Soc2).Met);
        Assert.Contains("not yet verified", Get(Evaluate(Good(Evidence(EvidenceKinds.Soc2Type2, Now.AddDays(100), verified: false))), CompliancePolicy.Soc2).Detail);
        var typeOne = Good() with { Evidence = [.. Good().Evidence.Where(e => e.Kind != EvidenceKinds.Soc2Type2), Evidence(EvidenceKinds.Soc2Type1, Now.AddDays(100))] };
        Assert.False(Get(Evaluate(typeOne), CompliancePolicy.Soc2).Met);
        Assert.False(Get(Evaluate(Good(Evidence(EvidenceKinds.Soc2Type2, Now.AddDays(100), issuedDaysAgo: -1))), CompliancePolicy.Soc2).Met);
    }

    [Fact]
    public void A_dpa_must_be_on_file()
    {
        var report = Evaluate(Good() with { Evidence = [.. Good().Evidence.Where(e => e.Kind != EvidenceKinds.Dpa)] });
        Assert.False(Get(report, CompliancePolicy.Dpa).Met);
        Assert.Equal(ComplianceStatus.NonCompliant, report.Status);
    }

    [Theory]
    [InlineData(365, true)]
    [InlineData(364, false)]
    public void Label_edit_log_retention_needs_365_days(int days, bool met)
    {
        var report = Evaluate(Good(Evidence(EvidenceKinds.RetentionPolicy, Now.AddDays(300), declared: $$"""{"labelEditLogRetentionDays":{{days}}}""")));
        Assert.Equal(met, Get(report, CompliancePolicy.Retention).Met);
        Assert.Contains($"{days} days", Get(report, CompliancePolicy.Retention).Detail);
    }

    [Fact]
    public void A_retention_policy_without_the_declared_value_does_not_count()
    {
        Assert.False(Get(Evaluate(Good(Evidence(EvidenceKinds.RetentionPolicy, null))), CompliancePolicy.Retention).Met);
    }

    [Fact]
    public void Batches_by_unnamed_roster_members_fail_named_accountability()
    {
        var report = Evaluate(Good() with { UnnamedSubmitters = ["ann-7"] });
        Assert.False(Get(report, CompliancePolicy.Attribution).Met);
        Assert.Contains("ann-7", Get(report, CompliancePolicy.Attribution).Detail);
    }

    [Fact]
    public void A_signing_key_is_required()
    {
        Assert.False(Get(Evaluate(Good() with { ActiveSigningKeys = 0 }), CompliancePolicy.SigningKey).Met);
    }

    [Theory]
    [InlineData(6.9, true)]
    [InlineData(7.1, false)]
    public void Blocking_findings_may_wait_seven_days(double daysQuarantined, bool met)
    {
        var report = Evaluate(Good() with { LongQuarantined = [(Guid.NewGuid(), Now.AddDays(-daysQuarantined))] });
        Assert.Equal(met, Get(report, CompliancePolicy.Blocking).Met);
    }

    [Fact]
    public void Revocation_is_met_by_a_revocation_or_an_acknowledgement_and_not_by_neither()
    {
        Assert.True(Get(Evaluate(Good() with { Revocations = 1, RevocationAcknowledgedAt = null }), CompliancePolicy.Revocation).Met);
        Assert.True(Get(Evaluate(Good()), CompliancePolicy.Revocation).Met);
        Assert.False(Get(Evaluate(Good() with { RevocationAcknowledgedAt = null }), CompliancePolicy.Revocation).Met);
    }

    [Fact]
    public void The_policy_can_leave_requirements_out()
    {
        var options = new ComplianceOptions { Requirements = [CompliancePolicy.Dpa] };
        var report = CompliancePolicy.Evaluate(Vendor, Good() with { ActiveSigningKeys = 0 }, options, Now);
        Assert.Equal([CompliancePolicy.Dpa], report.Requirements.Select(r => r.Id));
        Assert.Equal(ComplianceStatus.Compliant, report.Status);
    }
}
