using System.Net.Http.Headers;
using System.Security.Claims;
using VendorGate.Client;

namespace VendorGate.Portal;

public static class PortalPolicies
{
    public const string ReadVendors = nameof(ReadVendors);
    public const string ReadVendor = nameof(ReadVendor);
    public const string Review = nameof(Review);
    public const string Revoke = nameof(Revoke);
    public const string ReadRevocations = nameof(ReadRevocations);
    public const string ReadAudit = nameof(ReadAudit);
    public const string Administer = nameof(Administer);
    public static readonly string[] VendorReaders = [Roles.Procurement, Roles.Auditor, Roles.Security, Roles.Maintainer, Roles.Admin];

    /// <summary>The claim holding the signed-in person's API key or OpenID Connect access token, inside the encrypted,
    /// HttpOnly cookie only.</summary>
    public const string KeyClaim = "vg_key";
}

/// <summary>Calls to the Gateway go through the typed client (<see cref="VendorGateClient"/>) with the signed-in
/// person's credential: every decision stays the Gateway's; the Portal only hides what a role may not do.</summary>
public static class Gateway
{
    /// <summary>The Gateway's answer, or its refusal worded for the person (the problem's detail).</summary>
    public static async Task<(T? Value, string? Refusal)> AttemptAsync<T>(Task<T> call) where T : class
    {
        try
        {
            return (await call, null);
        }
        catch (VendorGateProblemException e)
        {
            return (null, e.Detail);
        }
    }

    /// <summary>Who a key or access token belongs to; or, when the Gateway does not accept it, the Gateway's reason.</summary>
    public static Task<(PrincipalView? Me, string? Refusal)> WhoIsAsync(this IHttpClientFactory clients, string credential, CancellationToken ct) =>
        AttemptAsync(new VendorGateClient(clients.CreateClient(nameof(VendorGateClient)), credential).GetMeAsync(ct));
}

/// <summary>Forwards a request the Portal built (the Hangfire dashboard's pages) with the signed-in person's
/// credential, as it is: the dashboard is HTML, not an API operation.</summary>
public sealed class GatewayForwarder(HttpClient http)
{
    /// <summary>Sends <paramref name="request"/>; the caller disposes the response.</summary>
    public Task<HttpResponseMessage> ForwardAsync(ClaimsPrincipal user, HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.FindFirstValue(PortalPolicies.KeyClaim));
        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }
}

/// <summary>Logs Gateway calls that take more than two seconds: a slow page should say which call made it slow.</summary>
public sealed class SlowCallLogger(ILogger<SlowCallLogger> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var response = await base.SendAsync(request, cancellationToken);
        if (clock.Elapsed > TimeSpan.FromSeconds(2))
        {
            logger.LogWarning("Gateway {Method} {Path} took {Milliseconds} ms and answered {Status}",
                request.Method, request.RequestUri?.AbsolutePath, clock.ElapsedMilliseconds, (int)response.StatusCode);
        }
        return response;
    }
}
