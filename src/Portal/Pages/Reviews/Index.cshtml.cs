using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Reviews;

public sealed class ReviewQueueModel(GatewayClient gateway) : PageModel
{
    public IReadOnlyList<JsonElement> Batches { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var inReview = await gateway.GetAsync(User, "/v1/batches?status=in-review&limit=200", ct);
        var quarantined = await gateway.GetAsync(User, "/v1/batches?status=quarantined&limit=200", ct);
        Batches = inReview.GetProperty("items").EnumerateArray().Concat(quarantined.GetProperty("items").EnumerateArray())
            .OrderBy(b => b.GetProperty("id").GetGuid()).ToList(); // time-ordered ids: oldest first
    }
}
