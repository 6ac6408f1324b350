using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Snapshots;

/// <summary>What changed between two snapshots, by annotator (as people), by batch (by justification) and by domain.</summary>
public sealed class SnapshotDiffModel(VendorGateClient gateway, People people) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string From { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string To { get; set; } = "";

    public DiffSummary? Diff { get; private set; }
    public Dictionary<string, string> Names { get; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        try
        {
            Diff = await gateway.DiffSnapshotsAsync(From, To, ct: ct);
            foreach (var annotator in Diff.ByAnnotator.Keys)
            {
                Names[annotator] = Guid.TryParse(annotator, out var id) ? await people.PersonAsync(id, ct) : annotator;
            }
            foreach (var batch in Diff.ByBatch.Keys)
            {
                Names[batch] = Guid.TryParse(batch, out var id) ? await people.BatchAsync(id, ct) : batch;
            }
        }
        catch (VendorGateProblemException e) when ((int)e.Status is >= 400 and < 500)
        {
            Error = $"No such comparison: {From} → {To}.";
        }
    }
}
