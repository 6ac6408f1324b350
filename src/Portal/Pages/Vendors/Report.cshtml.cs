using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using VendorGate.Client;

namespace VendorGate.Portal.Pages.Vendors;

/// <summary>Streams the Gateway's signed report through, with its digest header, as a download.</summary>
public sealed class VendorReportModel(VendorGateClient gateway) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var (report, _) = await Gateway.AttemptAsync(gateway.GetVendorReportAsync(Id, ct));
        if (report is null)
        {
            return NotFound();
        }
        HttpContext.Response.RegisterForDispose(report);
        if (report.Header("VendorGate-Report-Digest") is { } digest)
        {
            Response.Headers["VendorGate-Report-Digest"] = digest;
        }
        return File(report.Content, "application/pdf", report.FileName ?? "report.pdf");
    }
}
