using System.Text.Json;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages;

public sealed record ExpiringEvidence(Guid VendorId, string Vendor, string Kind, DateTimeOffset ExpiresAt);

public sealed record VendorAtRisk(Guid VendorId, string Vendor, string Status, int RecentBatches);

public sealed record StaleQuarantine(Guid BatchId, string Justification, string Vendor, DateTimeOffset Since);

/// <summary>The home page: for procurement and admins, what needs their attention now. Everything is read with the
/// viewer's own credential, so a role sees only what it may.</summary>
public sealed class HomeModel(GatewayClient gateway, People people, IConfiguration configuration) : PageModel
{
    public static readonly string[] AttentionRoles = ["procurement", "admin"];

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
        var now = DateTimeOffset.UtcNow;
        var batches = (await gateway.GetAsync(User, "/v1/batches?limit=500", ct)).GetProperty("items").EnumerateArray().ToList();
        foreach (var vendor in (await gateway.GetAsync(User, "/v1/vendors?limit=500", ct)).GetProperty("items").EnumerateArray())
        {
            var id = vendor.GetProperty("id").GetGuid();
            var name = vendor.GetProperty("name").GetString()!;
            var status = (await gateway.GetAsync(User, $"/v1/vendors/{id}/compliance", ct)).GetProperty("status").GetString()!;
            if (status is "non-compliant" or "at-risk")
            {
                var recent = batches.Count(b => b.GetProperty("vendorId").ValueKind == JsonValueKind.String && b.GetProperty("vendorId").GetGuid() == id
                    && b.GetProperty("createdAt").GetDateTimeOffset() > now.AddDays(-RecentDays));
                AtRisk.Add(new VendorAtRisk(id, name, status, recent));
            }
            foreach (var evidence in (await gateway.GetAsync(User, $"/v1/vendors/{id}/evidence?limit=100", ct)).GetProperty("items").EnumerateArray())
            {
                if (evidence.GetProperty("expiresAt").ValueKind == JsonValueKind.String
                    && evidence.GetProperty("expiresAt").GetDateTimeOffset() is var expires && expires > now && expires <= now.AddDays(ExpiringDays))
                {
                    Expiring.Add(new ExpiringEvidence(id, name, evidence.GetProperty("kind").GetString()!, expires));
                }
            }
        }
        foreach (var batch in batches.Where(b => b.GetProperty("status").GetString() == "quarantined"))
        {
            var since = batch.GetProperty("scannedAt").ValueKind == JsonValueKind.String ? batch.GetProperty("scannedAt").GetDateTimeOffset() : batch.GetProperty("createdAt").GetDateTimeOffset();
            if (since <= now.AddDays(-QuarantineDays))
            {
                var vendor = batch.GetProperty("vendorId").ValueKind == JsonValueKind.String ? await people.VendorAsync(batch.GetProperty("vendorId").GetGuid(), ct) : "staff";
                Quarantined.Add(new StaleQuarantine(batch.GetProperty("id").GetGuid(), batch.GetProperty("justification").GetString()!, vendor, since));
            }
        }
        AtRisk.Sort((a, b) => b.RecentBatches.CompareTo(a.RecentBatches));
        Expiring.Sort((a, b) => a.ExpiresAt.CompareTo(b.ExpiresAt));
        Quarantined.Sort((a, b) => a.Since.CompareTo(b.Since));
    }
}
