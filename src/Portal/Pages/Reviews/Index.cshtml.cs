using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Reviews;

public sealed class ReviewQueueModel(VendorGateClient gateway) : PageModel
{
    private const int Shown = 200;

    public IReadOnlyList<BatchView> Batches { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var inReview = await gateway.ListBatchesAsync("in-review", ct: ct).Take(Shown).ToListAsync(ct);
        var quarantined = await gateway.ListBatchesAsync("quarantined", ct: ct).Take(Shown).ToListAsync(ct);
        Batches = [.. inReview.Concat(quarantined).OrderBy(b => b.Id)]; // time-ordered ids: oldest first
    }
}
