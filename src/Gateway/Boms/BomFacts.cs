using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Boms;

/// <summary>One vendor's part of a snapshot: its examples and how many of its annotators wrote them.</summary>
public sealed record VendorContribution(Guid Id, string Name, string Jurisdiction, long Examples, int Annotators, IReadOnlyList<string> Licenses);

/// <summary>
/// What an AI-BOM of a snapshot (or of a model trained on one) states, read once from the signed snapshot and the
/// records behind it; both formats are written from this. Governance: the vendors are the custodians (they hold and
/// hand over the data), maintainers the owners (they decide what enters), security the stewards (they answer for its
/// content and revoke).
/// </summary>
public sealed record BomFacts(
    Snapshot Snapshot, Model? Model, IReadOnlyDictionary<string, long> Licenses, IReadOnlyDictionary<string, long> Domains,
    IReadOnlyList<VendorContribution> Vendors, long InternalExamples, IReadOnlyList<string> Owners, IReadOnlyList<string> Stewards,
    IReadOnlyList<string> SensitiveData, int Annotators)
{
    /// <summary>The subject: the model, or else the snapshot.</summary>
    public string Name => Model is null ? $"snapshot:{Snapshot.Version}" : $"model:{Model.Name}";

    public static async Task<BomFacts> ReadAsync(VendorGateDb db, Snapshot snapshot, Model? model, CancellationToken ct)
    {
        var summary = JsonSerializer.Deserialize<SnapshotSummary>(snapshot.Summary, JsonSerializerOptions.Web)!;
        var merged = (await SnapshotLineage.MergedAsync(db, snapshot, ct)).Keys.ToList();
        var batches = await db.Batches.AsNoTracking().Where(b => merged.Contains(b.Id))
            .Select(b => new { b.Id, b.VendorId, b.SubmitterId, b.License }).ToListAsync(ct);
        var annotators = summary.ByAnnotator.Where(a => a.Value > 0).Select(a => Guid.Parse(a.Key)).ToHashSet();
        var vendorIds = summary.ByVendor.Where(v => v.Value > 0 && v.Key != "internal").Select(v => Guid.Parse(v.Key)).ToList();
        var vendors = await db.Vendors.AsNoTracking().Where(v => vendorIds.Contains(v.Id)).ToListAsync(ct);
        var contributions = vendors.OrderBy(v => v.Name, StringComparer.Ordinal).Select(v =>
        {
            var theirs = batches.Where(b => b.VendorId == v.Id).ToList();
            return new VendorContribution(v.Id, v.Name, v.Jurisdiction, summary.ByVendor[v.Id.ToString()],
                theirs.Select(b => b.SubmitterId).Distinct().Count(annotators.Contains),
                theirs.Select(b => b.License).Distinct().Order(StringComparer.Ordinal).ToList());
        }).ToList();

        var staff = (await db.Principals.AsNoTracking().Where(p => p.VendorId == null && p.RevokedAt == null).ToListAsync(ct))
            .OrderBy(p => p.Handle, StringComparer.Ordinal).ToList();
        string Name(Principal p) => p.DisplayName ?? p.Handle;

        // Sensitive data: what the PII scanner found in the batches the snapshot holds (warn findings: approved anyway).
        var pii = typeof(PiiScanner).GetFields().Select(f => f.GetValue(null)).OfType<FindingKind>().ToDictionary(k => k.Code, k => k.Description);
        var codes = pii.Keys.ToList();
        var found = await db.Findings.AsNoTracking().Where(f => merged.Contains(f.BatchId) && codes.Contains(f.Code))
            .GroupBy(f => f.Code).Select(g => new { Code = g.Key, Batches = g.Select(f => f.BatchId).Distinct().Count() }).ToListAsync(ct);
        var sensitive = found.OrderBy(f => f.Code, StringComparer.Ordinal)
            .Select(f => $"{pii[f.Code]} ({f.Code}) found by the PII scanner in {f.Batches} batch(es)").ToList();

        return new BomFacts(snapshot, model, Positive(summary.ByLicense), Positive(summary.ByDomain), contributions,
            summary.ByVendor.GetValueOrDefault("internal"),
            staff.Where(p => p.Roles.Contains(Roles.Maintainer)).Select(Name).ToList(),
            staff.Where(p => p.Roles.Contains(Roles.Security)).Select(Name).ToList(),
            sensitive, annotators.Count);
    }

    private static SortedDictionary<string, long> Positive(Dictionary<string, long> counts) =>
        new(counts.Where(c => c.Value > 0).ToDictionary(), StringComparer.Ordinal);

    /// <summary>The licences as one SPDX expression: every licence applies to part of the data, so all of them.</summary>
    public string LicenseExpression => Expression(Licenses.Keys);

    /// <summary>Licences as one SPDX expression joined with <c>AND</c> (compound ones in parentheses); <c>NOASSERTION</c> for none.</summary>
    public static string Expression(IEnumerable<string> licenses) => licenses.ToList() switch
    {
        [] => "NOASSERTION",
        [var one] => one,
        var many => string.Join(" AND ", many.Select(l => l.Contains(' ') ? $"({l})" : l)),
    };
}
