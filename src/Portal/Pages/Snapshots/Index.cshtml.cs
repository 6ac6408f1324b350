using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Snapshots;

public sealed class SnapshotsModel(VendorGateClient gateway) : PageModel
{
    private const int Shown = 200;

    public IReadOnlyList<SnapshotView> Snapshots { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Snapshots = await gateway.ListSnapshotsAsync(ct).Take(Shown).ToListAsync(ct);
}
