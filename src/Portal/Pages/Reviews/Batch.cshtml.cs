using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Reviews;

/// <summary>One batch for a maintainer: its findings with the flagged lines shown, and approve / reject with a comment.
/// The Gateway enforces the two-person rule and the rest; its refusal is shown as it words it.</summary>
public sealed class ReviewBatchModel(VendorGateClient gateway) : PageModel
{
    private const int LinesShown = 3;

    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty]
    public string? Comment { get; set; }

    [BindProperty]
    public string? Decision { get; set; }

    [TempData]
    public string? Message { get; set; }

    public BatchView Batch { get; private set; } = null!;
    public List<(FindingView Finding, List<(long Line, string Example)> Examples)> Findings { get; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            await LoadAsync(ct);
            return Page();
        }
        catch (VendorGateProblemException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return NotFound();
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Decision is not ("approve" or "reject"))
        {
            return BadRequest();
        }
        var (reviewed, refusal) = await Gateway.AttemptAsync(gateway.ReviewBatchAsync(Id, new() { Decision = Decision, Comment = Comment ?? "" }, ct));
        if (reviewed is null)
        {
            Error = refusal;
            await LoadAsync(ct);
            return Page();
        }
        Message = $"{(Decision == "approve" ? "Approved" : "Rejected")}: {reviewed.Justification} (now {reviewed.Status}).";
        return LocalRedirect("/Reviews");
    }

    /// <summary>The decisions open to the viewer now, and if none, why (the Gateway decides again on submit).</summary>
    public bool CanApprove { get; private set; }
    public bool CanReject { get; private set; }
    public string? NoDecisionBecause { get; private set; }

    private void DecideOffers()
    {
        var me = Guid.TryParse(User.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : Guid.Empty;
        var status = Batch.Status;
        var mine = Batch.Reviews.FirstOrDefault(r => r.ReviewerId == me);
        var overrodeIt = Batch.Overrides.Any(o => o.SecurityId == me);
        (CanApprove, CanReject, NoDecisionBecause) = status switch
        {
            _ when mine is not null => (false, false, $"You decided already: {mine.Decision} on {mine.At:yyyy-MM-dd HH:mm} UTC."),
            "in-review" when overrodeIt => (false, true, "You overrode this batch's findings, so someone else approves it (two-person rule)."),
            "in-review" => (true, true, null),
            "quarantined" => (false, true, "Blocking findings: it can be rejected, or approved only after security overrides them."),
            _ => (false, false, $"The batch is {status}: there is nothing to decide."),
        };
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Batch = await gateway.GetBatchAsync(Id, ct);
        DecideOffers();
        foreach (var finding in Batch.Findings)
        {
            var examples = new List<(long, string)>();
            foreach (var line in finding.Lines.Take(LinesShown))
            {
                var page = await gateway.ListBatchExamplesAsync(Id, offset: line - 1, limit: 1, ct: ct);
                if (page.Items.FirstOrDefault() is { } item)
                {
                    examples.Add((line, item.Example.GetRawText()));
                }
            }
            Findings.Add((finding, examples));
        }
    }
}
