using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Vendors;

/// <summary>Security revokes one annotator: a reason, an explicit confirmation, then the revocation's progress page.</summary>
public sealed class RevokeModel(VendorGateClient gateway) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public Guid AnnotatorId { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    [BindProperty]
    public bool Confirm { get; set; }

    public string Handle { get; private set; } = "";
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
        {
            return NotFound();
        }
        if (!Confirm || string.IsNullOrWhiteSpace(Reason))
        {
            Error = "Give a reason and tick the confirmation.";
            return Page();
        }
        var (accepted, refusal) = await Gateway.AttemptAsync(gateway.RevokeAsync(new() { AnnotatorId = AnnotatorId, Reason = Reason.Trim() }, ct));
        if (accepted is null)
        {
            Error = refusal;
            return Page();
        }
        return LocalRedirect($"/Revocations/{accepted.Id}");
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        // The annotator must be on this vendor's roster: a principal of another vendor is not found here.
        var (roster, _) = await Gateway.AttemptAsync(gateway.ListRosterAsync(Id, ct).ToListAsync(ct).AsTask());
        if (roster?.FirstOrDefault(p => p.Id == AnnotatorId) is not { } annotator)
        {
            return false;
        }
        Handle = annotator.Handle;
        return true;
    }
}
