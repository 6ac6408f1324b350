using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Audit;

public sealed class AuditModel(VendorGateClient gateway, People people) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public long After { get; set; }

    public AuditVerificationView Verification { get; private set; } = null!;
    public IReadOnlyList<AuditEntryView> Entries { get; private set; } = [];
    public long? Next { get; private set; }
    public long First => Entries.Count == 0 ? 0 : Entries[0].Seq;
    public long Last => Entries.Count == 0 ? 0 : Entries[^1].Seq;

    /// <summary>Actors and targets that are people, as handle · vendor.</summary>
    public Dictionary<string, string> Names { get; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Verification = await gateway.VerifyAuditAsync(ct: ct);
        var page = await gateway.ListAuditAsync(After, 100, ct);
        Entries = page.Items;
        foreach (var reference in Entries.SelectMany(e => new[] { e.Actor, e.Target }).Distinct())
        {
            Names[reference] = await people.ReferenceAsync(reference, ct);
        }
        Next = page.Next;
    }
}
