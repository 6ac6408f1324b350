using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace VendorGate.Portal.Pages;

public sealed class SignInModel(GatewayClient gateway) : PageModel
{
    [BindProperty]
    public string? Key { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    [BindProperty(SupportsGet = true)]
    public bool Expired { get; set; }

    public void OnGet()
    {
        if (Expired)
        {
            Error = "Your key was revoked or has expired: you were signed out. Sign in with a valid key.";
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Request.Query.Keys.Any(k => k.Equals(nameof(Key), StringComparison.OrdinalIgnoreCase)))
        {
            Key = null;
            Error = "A key is sent in the form only, never in the address (addresses end up in logs and histories). Revoke that key and sign in with another.";
            return Page();
        }
        Key = Request.Form[nameof(Key)].ToString();
        if (string.IsNullOrWhiteSpace(Key) || await gateway.WhoIsAsync(Key.Trim(), ct) is not { } me)
        {
            Error = "The Gateway does not accept this key (unknown, expired or revoked).";
            return Page();
        }
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, me.GetProperty("id").GetString()!),
            new(ClaimTypes.Name, me.GetProperty("handle").GetString()!),
            new("kind", me.GetProperty("kind").GetString()!),
            new(PortalPolicies.KeyClaim, Key.Trim()),
        };
        claims.AddRange(me.GetProperty("roles").EnumerateArray().Select(r => new Claim(ClaimTypes.Role, r.GetString()!)));
        if (me.TryGetProperty("vendorId", out var vendor) && vendor.ValueKind == System.Text.Json.JsonValueKind.String)
        {
            claims.Add(new Claim("vendor_id", vendor.GetString()!));
        }
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
