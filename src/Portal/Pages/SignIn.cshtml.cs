using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace VendorGate.Portal.Pages;

public sealed class SignInModel(IHttpClientFactory clients, IOptions<PortalOidcOptions> oidc) : PageModel
{
    /// <summary>The OpenID provider's name when staff sign in there; null when only keys sign in.</summary>
    public string? Provider => oidc.Value.Enabled ? oidc.Value.DisplayName : null;

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
            Error = "Your credential was revoked or has expired: you were signed out. Sign in again.";
        }
        if (TempData[OidcSignIn.FailureKey] is string failure)
        {
            Error = failure;
        }
    }

    /// <summary>Starts the sign-in at the OpenID provider (a link, not a form: the Portal's CSP allows forms to post only
    /// to itself, and the provider's state and nonce protect the round trip).</summary>
    public IActionResult OnGetOidc() => Provider is null
        ? NotFound()
        : Challenge(new AuthenticationProperties { RedirectUri = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/" }, OidcSignIn.Scheme);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Request.Query.Keys.Any(k => k.Equals(nameof(Key), StringComparison.OrdinalIgnoreCase)))
        {
            Key = null;
            Error = "A key is sent in the form only, never in the address (addresses end up in logs and histories). Revoke that key and sign in with another.";
            return Page();
        }
        Key = Request.Form[nameof(Key)].ToString();
        if (string.IsNullOrWhiteSpace(Key) || (await clients.WhoIsAsync(Key.Trim(), ct)).Me is not { } me)
        {
            Error = "The Gateway does not accept this key (unknown, expired or revoked).";
            return Page();
        }
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, PortalPrincipal.From(me, Key.Trim()));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
