using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Vendors;

public sealed record VendorRow(Guid Id, string Name, string Status, IReadOnlyList<string> Unmet);

public sealed class VendorsModel(VendorGateClient gateway) : PageModel
{
    /// <summary>Failing first, then expiring soon, then not yet assessed, then compliant.</summary>
    private static readonly string[] Order = ["non-compliant", "at-risk", "unassessed", "compliant"];

    public IReadOnlyList<VendorRow> Vendors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var rows = new List<VendorRow>();
        await foreach (var vendor in gateway.ListVendorsAsync(ct))
        {
            var compliance = await gateway.GetComplianceAsync(vendor.Id, ct);
            rows.Add(new VendorRow(vendor.Id, vendor.Name, compliance.Status, compliance.Requirements.Where(r => !r.Met).Select(r => r.Title).ToList()));
        }
        Vendors = rows.OrderBy(r => Array.IndexOf(Order, r.Status)).ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }
}
