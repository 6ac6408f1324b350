using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Compliance;

namespace VendorGate.Gateway.Scanning;

/// <summary>When the compliance policy only warns (<c>VendorGate:Compliance:Enforcement: warn</c>), a non-compliant
/// vendor's batch still gets in, and carries a finding naming the failing requirements for its reviewer.</summary>
public sealed class VendorComplianceScanner(ComplianceService compliance) : IBatchScanner
{
    public const string Code = "vendor-non-compliant";

    public async Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        if (context.Batch.VendorId is not { } vendorId || compliance.Options.Enforcement != "warn")
        {
            return [];
        }
        var report = await compliance.AssessAsync(vendorId, cancellationToken);
        if (report.Status != ComplianceStatus.NonCompliant)
        {
            return [];
        }
        var failing = report.Failing.ToList();
        return
        [
            new ScanFinding(Code, Severity.Warn,
                $"The vendor is non-compliant ({failing.Count} requirement(s) unmet); the policy lets its uploads in with this warning.",
                [], failing.Select(r => $"{r.Id}: {r.Detail}").ToList()),
        ];
    }
}
