using System.Text.Json;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Snapshots;

public sealed class SnapshotsModel(GatewayClient gateway) : PageModel
{
    public IReadOnlyList<JsonElement> Snapshots { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Snapshots = (await gateway.GetAsync(User, "/v1/snapshots?limit=200", ct)).GetProperty("items").EnumerateArray().ToList();
}
