using System.Text.Json;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Revocations;

public sealed class RevocationsModel(GatewayClient gateway) : PageModel
{
    public IReadOnlyList<JsonElement> Revocations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Revocations = (await gateway.GetAsync(User, "/v1/revocations?limit=200", ct)).GetProperty("items").EnumerateArray().ToList();
}
