using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Snapshots;

/// <summary>Blame by snapshot version ("47.1") or by model name: who is accountable for example n.</summary>
public sealed class BlameModel(VendorGateClient gateway) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Of { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public long Index { get; set; }

    public ExampleBlame? Result { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var isVersion = Of.Split('.') is [var major, var minor] && int.TryParse(major, out _) && int.TryParse(minor, out _);
        try
        {
            Result = isVersion ? await gateway.BlameSnapshotExampleAsync(Of, Index, ct) : await gateway.BlameModelExampleAsync(Of, Index, ct);
        }
        catch (VendorGateProblemException e) when ((int)e.Status is >= 400 and < 500)
        {
            Error = $"There is no example {Index} in {(isVersion ? "snapshot" : "model")} {Of}.";
        }
    }
}
