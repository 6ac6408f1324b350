using System.Net;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Revocations;

public sealed class RevocationModel(VendorGateClient gateway) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public RevocationView Revocation { get; private set; } = null!;
    public bool Pending => Revocation.Status == "pending";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            Revocation = await gateway.GetRevocationAsync(Id, ct);
            return Page();
        }
        catch (VendorGateProblemException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return NotFound();
        }
    }
}
