using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Reviews;

/// <summary>One batch for a maintainer: its findings with the flagged lines shown, and approve / reject with a comment.
/// The Gateway enforces the two-person rule and the rest; its refusal is shown as it words it.</summary>
public sealed class ReviewBatchModel(GatewayClient gateway) : PageModel
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

    public JsonElement Batch { get; private set; }
    public List<(JsonElement Finding, List<(long Line, string Example)> Examples)> Findings { get; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            await LoadAsync(ct);
            return Page();
        }
        catch (GatewayException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
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
        var (ok, body) = await gateway.PostAsync(User, $"/v1/batches/{Id}/reviews", new { decision = Decision, comment = Comment ?? "" }, ct);
        if (!ok)
        {
            Error = GatewayClient.Detail(body);
            await LoadAsync(ct);
            return Page();
        }
        Message = $"{(Decision == "approve" ? "Approved" : "Rejected")}: {body.GetProperty("justification").GetString()} (now {body.GetProperty("status").GetString()}).";
        return LocalRedirect("/Reviews");
    }

    /// <summary>The decisions open to the viewer now, and if none, why (the Gateway decides again on submit).</summary>
    public bool CanApprove { get; private set; }
    public bool CanReject { get; private set; }
    public string? NoDecisionBecause { get; private set; }

    private void DecideOffers()
    {
        var me = User.FindFirstValue(ClaimTypes.NameIdentifier);
        var status = Batch.GetProperty("status").GetString();
        var mine = Batch.GetProperty("reviews").EnumerateArray().FirstOrDefault(r => r.GetProperty("reviewerId").GetString() == me);
        var overrodeIt = Batch.GetProperty("overrides").EnumerateArray().Any(o => o.GetProperty("securityId").GetString() == me);
        (CanApprove, CanReject, NoDecisionBecause) = status switch
        {
            _ when mine.ValueKind == JsonValueKind.Object =>
                (false, false, $"You decided already: {mine.GetProperty("decision").GetString()} on {mine.GetProperty("at").GetDateTimeOffset():yyyy-MM-dd HH:mm} UTC."),
            "in-review" when overrodeIt => (false, true, "You overrode this batch's findings, so someone else approves it (two-person rule)."),
            "in-review" => (true, true, null),
            "quarantined" => (false, true, "Blocking findings: it can be rejected, or approved only after security overrides them."),
            _ => (false, false, $"The batch is {status}: there is nothing to decide."),
        };
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Batch = await gateway.GetAsync(User, $"/v1/batches/{Id}", ct);
        DecideOffers();
        foreach (var finding in Batch.GetProperty("findings").EnumerateArray())
        {
            var examples = new List<(long, string)>();
            foreach (var line in finding.GetProperty("lines").EnumerateArray().Take(LinesShown).Select(l => l.GetInt64()))
            {
                var page = await gateway.GetAsync(User, $"/v1/batches/{Id}/examples?offset={line - 1}&limit=1", ct);
                if (page.GetProperty("items").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } item)
                {
                    examples.Add((line, item.GetProperty("example").GetRawText()));
                }
            }
            Findings.Add((finding, examples));
        }
    }
}
