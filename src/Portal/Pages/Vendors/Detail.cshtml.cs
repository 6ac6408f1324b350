using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Vendors;

public sealed class VendorDetailModel(GatewayClient gateway) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public string Name { get; private set; } = "";
    public string Status { get; private set; } = "";
    public string AssessedAt { get; private set; } = "";
    public IReadOnlyList<JsonElement> Requirements { get; private set; } = [];
    public IReadOnlyList<JsonElement> Roster { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            var vendor = await gateway.GetAsync(User, $"/v1/vendors/{Id}", ct);
            var compliance = await gateway.GetAsync(User, $"/v1/vendors/{Id}/compliance", ct);
            Name = vendor.GetProperty("name").GetString()!;
            Status = compliance.GetProperty("status").GetString()!;
            AssessedAt = compliance.GetProperty("assessedAt").GetDateTimeOffset().ToString("yyyy-MM-dd HH:mm 'UTC'");
            Requirements = compliance.GetProperty("requirements").EnumerateArray().ToList();
            Roster = (await gateway.GetAsync(User, $"/v1/vendors/{Id}/annotators?limit=500", ct)).GetProperty("items").EnumerateArray()
                .OrderBy(p => p.GetProperty("handle").GetString(), StringComparer.Ordinal).ToList();
            return Page();
        }
        catch (GatewayException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return NotFound();
        }
    }
}
