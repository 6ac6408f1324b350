using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Revocations;

public sealed class RevocationsModel(VendorGateClient gateway) : PageModel
{
    private const int Shown = 200;

    public IReadOnlyList<RevocationView> Revocations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Revocations = await gateway.ListRevocationsAsync(ct).Take(Shown).ToListAsync(ct);
}
