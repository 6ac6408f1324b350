using System.Security.Claims;
using VendorGate.Client;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace VendorGate.Portal;

/// <summary><c>Portal:Oidc</c>: staff sign in at the organisation's OpenID provider (authorization code + PKCE).</summary>
public sealed class PortalOidcOptions
{
    public const string Section = "Portal:Oidc";

    /// <summary>The provider's issuer, as the Gateway trusts it (<c>VendorGate:Identity:Oidc:N:Issuer</c>).</summary>
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The Gateway's audience, sent as an RFC 8707 <c>resource</c> (providers such as oidc-provider and Okta);
    /// Entra ID instead takes the scope <c>api://…/.default</c> in <see cref="Scopes"/>.</summary>
    public string? Resource { get; set; }

    /// <summary>Scopes beyond <c>openid</c>, space separated.</summary>
    public string Scopes { get; set; } = "email";

    /// <summary>What the sign-in button names ("Sign in with …").</summary>
    public string DisplayName { get; set; } = "your organisation's sign-in";

    public bool Enabled => !string.IsNullOrEmpty(Authority);
}

public static class OidcSignIn
{
    public const string Scheme = "oidc";
    public const string FailureKey = "SignInFailure";

    /// <summary>Adds the OpenID Connect handler when <c>Portal:Oidc:Authority</c> is set. The person's access token
    /// becomes their credential for the Gateway (kept, like a key, only in the encrypted cookie); the cookie ends when the
    /// token does, and the Gateway decides who the person is and what they may do.</summary>
    public static AuthenticationBuilder AddOidcSignIn(this AuthenticationBuilder auth, PortalOidcOptions oidc)
    {
        if (!oidc.Enabled)
        {
            return auth;
        }
        return auth.AddOpenIdConnect(Scheme, options =>
        {
            options.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.Authority = oidc.Authority;
            options.RequireHttpsMetadata = !(Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var uri) && uri.IsLoopback);
            options.ClientId = oidc.ClientId;
            options.ClientSecret = oidc.ClientSecret;
            options.ResponseType = OpenIdConnectResponseType.Code;
            options.ResponseMode = OpenIdConnectResponseMode.Query; // a top-level GET back: Lax cookies, no cross-site POST
            options.UsePkce = true;
            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = false;
            options.SaveTokens = false;
            options.Scope.Clear();
            options.Scope.Add("openid");
            foreach (var scope in oidc.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                options.Scope.Add(scope);
            }
            if (!string.IsNullOrEmpty(oidc.Resource))
            {
                options.Resource = oidc.Resource;
            }
            // The handshake cookies travel on the provider's redirect back (a top-level GET), over HTTP on loopback too.
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Events = new OpenIdConnectEvents
            {
                OnTokenValidated = async context =>
                {
                    var accessToken = context.TokenEndpointResponse?.AccessToken;
                    var clients = context.HttpContext.RequestServices.GetRequiredService<IHttpClientFactory>();
                    var (me, refusal) = accessToken is null ? (null, "The provider sent no access token.")
                        : await clients.WhoIsAsync(accessToken, context.HttpContext.RequestAborted);
                    if (me is not { } principal)
                    {
                        context.Fail($"You signed in at the provider, but the Gateway refused you: {refusal}");
                        return;
                    }
                    context.Principal = PortalPrincipal.From(principal, accessToken!);
                    if (int.TryParse(context.TokenEndpointResponse!.ExpiresIn, out var seconds))
                    {
                        context.Properties!.ExpiresUtc = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().AddSeconds(seconds);
                        context.Properties.AllowRefresh = false; // never outlives the token it carries
                    }
                },
                OnRemoteFailure = context =>
                {
                    context.HandleResponse();
                    var tempData = context.HttpContext.RequestServices.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(context.HttpContext);
                    tempData[FailureKey] = context.Failure?.Message ?? "The sign-in did not complete.";
                    tempData.Save();
                    context.Response.Redirect("/SignIn");
                    return Task.CompletedTask;
                },
            };
        });
    }
}

/// <summary>The cookie identity of a signed-in person: who the Gateway says they are, and the credential (an API key or
/// an access token) the Portal calls the Gateway with.</summary>
public static class PortalPrincipal
{
    public static ClaimsPrincipal From(PrincipalView me, string credential)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, me.Id.ToString()),
            new(ClaimTypes.Name, me.Handle),
            new("kind", me.Kind),
            new(PortalPolicies.KeyClaim, credential),
        };
        if (me.DisplayName is { } name)
        {
            claims.Add(new Claim("display_name", name));
        }
        claims.AddRange(me.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        if (me.VendorId is { } vendor)
        {
            claims.Add(new Claim("vendor_id", vendor.ToString()));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }
}
