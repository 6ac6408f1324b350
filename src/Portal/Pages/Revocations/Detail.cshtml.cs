using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Revocations;

public sealed class RevocationModel(GatewayClient gateway) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public JsonElement Revocation { get; private set; }
    public string Status => Revocation.GetProperty("status").GetString()!;
    public bool Pending => Status == "pending";
    public string? NewSnapshot => Revocation.TryGetProperty("newSnapshot", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            Revocation = await gateway.GetAsync(User, $"/v1/revocations/{Id}", ct);
            return Page();
        }
        catch (GatewayException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return NotFound();
        }
    }
}
