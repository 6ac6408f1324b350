using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages;

public sealed record ExpiringEvidence(Guid VendorId, string Vendor, string Kind, DateTimeOffset ExpiresAt);

public sealed record VendorAtRisk(Guid VendorId, string Vendor, string Status, int RecentBatches);

public sealed record StaleQuarantine(Guid BatchId, string Justification, string Vendor, DateTimeOffset Since);

/// <summary>The home page: for procurement and admins, what needs their attention now. Everything is read with the
/// viewer's own credential, so a role sees only what it may.</summary>
public sealed class HomeModel(VendorGateClient gateway, People people, IConfiguration configuration, TimeProvider time) : PageModel
{
    public static readonly string[] AttentionRoles = [Roles.Procurement, Roles.Admin];

    /// <summary><c>Portal:Attention:*</c>: how far ahead evidence counts as expiring, how far back an upload is recent,
    /// how long a quarantine may wait.</summary>
    private int Days(string key, int fallback) => configuration.GetValue($"Portal:Attention:{key}", fallback);

    public int ExpiringDays => Days("ExpiringDays", 30);
    public int RecentDays => Days("RecentDays", 7);
    public int QuarantineDays => Days("QuarantineDays", 7);

    public bool ShowsAttention => AttentionRoles.Any(User.IsInRole);
    public List<ExpiringEvidence> Expiring { get; } = [];
    public List<VendorAtRisk> AtRisk { get; } = [];
    public List<StaleQuarantine> Quarantined { get; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (!ShowsAttention)
        {
            return;
        }
        var now = time.GetUtcNow();
        // Batches come newest first: the recent ones are a prefix of the list, however long it is.
        var recent = await gateway.ListBatchesAsync(ct: ct).TakeWhile(b => b.CreatedAt > now.AddDays(-RecentDays)).ToListAsync(ct);
        await foreach (var vendor in gateway.ListVendorsAsync(ct))
        {
            var status = (await gateway.GetComplianceAsync(vendor.Id, ct)).Status;
            if (status is "non-compliant" or "at-risk")
            {
                AtRisk.Add(new VendorAtRisk(vendor.Id, vendor.Name, status, recent.Count(b => b.VendorId == vendor.Id)));
            }
            await foreach (var evidence in gateway.ListEvidenceAsync(vendor.Id, ct))
            {
                if (evidence.ExpiresAt is { } expires && expires > now && expires <= now.AddDays(ExpiringDays))
                {
                    Expiring.Add(new ExpiringEvidence(vendor.Id, vendor.Name, evidence.Kind, expires));
                }
            }
        }
        await foreach (var batch in gateway.ListBatchesAsync("quarantined", ct: ct))
        {
            var since = batch.ScannedAt ?? batch.CreatedAt;
            if (since <= now.AddDays(-QuarantineDays))
            {
                var vendor = batch.VendorId is { } vendorId ? await people.VendorAsync(vendorId, ct) : "staff";
                Quarantined.Add(new StaleQuarantine(batch.Id, batch.Justification, vendor, since));
            }
        }
        AtRisk.Sort((a, b) => b.RecentBatches.CompareTo(a.RecentBatches));
        Expiring.Sort((a, b) => a.ExpiresAt.CompareTo(b.ExpiresAt));
        Quarantined.Sort((a, b) => a.Since.CompareTo(b.Since));
    }
}
