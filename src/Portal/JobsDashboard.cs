using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace VendorGate.Portal;

/// <summary>The Gateway's Hangfire dashboard (<c>/hangfire</c>, admins only) through the Portal: a browser cannot send
/// the bearer credential the Gateway asks for, so the Portal forwards a signed-in admin's requests with theirs. The
/// Gateway decides again; a 401 signs the person out as on any page.</summary>
public static class JobsDashboard
{
    public const string Path = "/hangfire";

    /// <summary>The dashboard's own pages use inline styles and data: images; its scripts still come only from itself.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Set-Cookie", "Content-Security-Policy", "X-Frame-Options",
    };

    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder routes)
    {
        routes.Map(Path + "/{**rest}", ForwardAsync).RequireAuthorization(PortalPolicies.Administer);
        return routes;
    }

    private static async Task ForwardAsync(HttpContext context, GatewayForwarder gateway)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }
        foreach (var header in new[] { "Accept", "X-Requested-With" })
        {
            if (context.Request.Headers.TryGetValue(header, out var value))
            {
                request.Headers.TryAddWithoutValidation(header, value.ToArray());
            }
        }
        using var response = await gateway.ForwardAsync(context.User, request, context.RequestAborted);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            context.Response.Redirect("/SignIn?expired=true");
            return;
        }
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }
        context.Response.Headers.Remove("Content-Length"); // the body is copied as it streams
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
