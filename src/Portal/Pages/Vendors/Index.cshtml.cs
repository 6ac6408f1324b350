using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Vendors;

public sealed record VendorRow(Guid Id, string Name, string Status, IReadOnlyList<string> Unmet);

public sealed class VendorsModel(GatewayClient gateway) : PageModel
{
    /// <summary>Failing first, then expiring soon, then not yet assessed, then compliant.</summary>
    private static readonly string[] Order = ["non-compliant", "at-risk", "unassessed", "compliant"];

    public IReadOnlyList<VendorRow> Vendors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var page = await gateway.GetAsync(User, "/v1/vendors?limit=500", ct);
        var rows = new List<VendorRow>();
        foreach (var vendor in page.GetProperty("items").EnumerateArray())
        {
            var id = vendor.GetProperty("id").GetGuid();
            var compliance = await gateway.GetAsync(User, $"/v1/vendors/{id}/compliance", ct);
            rows.Add(new VendorRow(id, vendor.GetProperty("name").GetString()!, compliance.GetProperty("status").GetString()!,
                compliance.GetProperty("requirements").EnumerateArray().Where(r => !r.GetProperty("met").GetBoolean())
                    .Select(r => r.GetProperty("title").GetString()!).ToList()));
        }
        Vendors = rows.OrderBy(r => Array.IndexOf(Order, r.Status)).ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }
}
