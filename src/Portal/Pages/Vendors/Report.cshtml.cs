using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages.Vendors;

/// <summary>Streams the Gateway's signed report through, with its digest header, as a download.</summary>
public sealed class VendorReportModel(GatewayClient gateway) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var response = await gateway.SendAsync(User, HttpMethod.Get, $"/v1/vendors/{Id}/report.pdf", ct);
        HttpContext.Response.RegisterForDispose(response);
        if (!response.IsSuccessStatusCode)
        {
            return StatusCode((int)response.StatusCode);
        }
        if (response.Headers.TryGetValues("VendorGate-Report-Digest", out var digest))
        {
            Response.Headers["VendorGate-Report-Digest"] = digest.First();
        }
        var name = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName ?? "report.pdf";
        return File(await response.Content.ReadAsStreamAsync(ct), "application/pdf", name.Trim('"'));
    }
}
