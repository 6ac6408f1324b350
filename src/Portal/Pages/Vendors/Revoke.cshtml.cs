using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Vendors;

/// <summary>Security revokes one annotator: a reason, an explicit confirmation, then the revocation's progress page.</summary>
public sealed class RevokeModel(GatewayClient gateway) : PageModel
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
        var (ok, body) = await gateway.PostAsync(User, "/v1/revocations", new { annotatorId = AnnotatorId, reason = Reason.Trim() }, ct);
        if (!ok)
        {
            Error = GatewayClient.Detail(body);
            return Page();
        }
        return LocalRedirect($"/Revocations/{body.GetProperty("id").GetString()}");
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var roster = await gateway.GetAsync(User, $"/v1/vendors/{Id}/annotators?limit=500", ct);
        var annotator = roster.GetProperty("items").EnumerateArray().FirstOrDefault(p => p.GetProperty("id").GetGuid() == AnnotatorId);
        if (annotator.ValueKind == System.Text.Json.JsonValueKind.Undefined)
        {
            return false;
        }
        Handle = annotator.GetProperty("handle").GetString()!;
        return true;
    }
}
