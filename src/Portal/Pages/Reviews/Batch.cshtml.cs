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

    private async Task LoadAsync(CancellationToken ct)
    {
        Batch = await gateway.GetAsync(User, $"/v1/batches/{Id}", ct);
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
