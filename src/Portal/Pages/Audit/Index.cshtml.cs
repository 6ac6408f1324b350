using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Audit;

public sealed class AuditModel(GatewayClient gateway, People people) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public long After { get; set; }

    public JsonElement Verification { get; private set; }
    public IReadOnlyList<JsonElement> Entries { get; private set; } = [];
    public long? Next { get; private set; }

    /// <summary>Actors and targets that are people, as handle · vendor.</summary>
    public Dictionary<string, string> Names { get; } = [];
    public long First => Entries.Count == 0 ? 0 : Entries[0].GetProperty("seq").GetInt64();
    public long Last => Entries.Count == 0 ? 0 : Entries[^1].GetProperty("seq").GetInt64();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Verification = await gateway.GetAsync(User, "/v1/audit/verify", ct);
        var page = await gateway.GetAsync(User, $"/v1/audit?after={After}&limit=100", ct);
        Entries = page.GetProperty("items").EnumerateArray().ToList();
        foreach (var reference in Entries.SelectMany(e => new[] { e.GetProperty("actor").GetString()!, e.GetProperty("target").GetString()! }).Distinct())
        {
            Names[reference] = await people.ReferenceAsync(reference, ct);
        }
        Next = page.GetProperty("next").ValueKind == JsonValueKind.Number ? page.GetProperty("next").GetInt64() : null;
    }
}
