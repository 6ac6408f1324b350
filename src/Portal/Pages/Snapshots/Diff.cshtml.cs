using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Snapshots;

public sealed class SnapshotDiffModel(GatewayClient gateway) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string From { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string To { get; set; } = "";

    public JsonElement Diff { get; private set; }
    public Dictionary<string, string> Names { get; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        try
        {
            Diff = await gateway.GetAsync(User, $"/v1/snapshots/{Uri.EscapeDataString(From)}/diff/{Uri.EscapeDataString(To)}", ct);
        }
        catch (GatewayException e) when ((int)e.Status is >= 400 and < 500)
        {
            Error = $"No such comparison: {From} → {To}.";
        }
    }
}
