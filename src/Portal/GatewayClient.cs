using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;

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
    public static readonly string[] VendorReaders = ["procurement", "auditor", "security", "maintainer", "admin"];

    /// <summary>The claim holding the signed-in person's API key or OpenID Connect access token, inside the encrypted,
    /// HttpOnly cookie only.</summary>
    public const string KeyClaim = "vg_key";
}

/// <summary>The Gateway API with the signed-in person's key: every decision stays the Gateway's; the Portal only
/// hides what a role may not do.</summary>
public sealed class GatewayClient(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Who a key or access token belongs to; or, when the Gateway does not accept it, the Gateway's reason.</summary>
    public async Task<(JsonElement? Me, string? Refusal)> WhoIsAsync(string credential, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return (await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct), null);
        }
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            return (null, Detail(JsonDocument.Parse(text).RootElement));
        }
        catch (JsonException)
        {
            return (null, $"the Gateway answered {(int)response.StatusCode}.");
        }
    }

    public async Task<JsonElement> GetAsync(ClaimsPrincipal user, string path, CancellationToken ct)
    {
        using var response = await SendAsync(user, HttpMethod.Get, path, ct);
        await EnsureAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
    }

    /// <summary>Posts JSON; returns the Gateway's answer (the caller shows a problem's detail to the person).</summary>
    public async Task<(bool Ok, JsonElement Body)> PostAsync(ClaimsPrincipal user, string path, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.FindFirstValue(PortalPolicies.KeyClaim));
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return (response.IsSuccessStatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Posts any content (multipart for evidence); returns the Gateway's answer.</summary>
    public async Task<(bool Ok, JsonElement Body)> PostContentAsync(ClaimsPrincipal user, string path, HttpContent content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.FindFirstValue(PortalPolicies.KeyClaim));
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return (response.IsSuccessStatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>A problem's human detail, or a fallback.</summary>
    public static string Detail(JsonElement problem) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "The Gateway refused the request.";

    /// <summary>Sends a request the caller built (the jobs dashboard) with the person's credential; the caller disposes the response.</summary>
    public Task<HttpResponseMessage> ForwardAsync(ClaimsPrincipal user, HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.FindFirstValue(PortalPolicies.KeyClaim));
        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>The raw response, for downloads; the caller disposes it.</summary>
    public Task<HttpResponseMessage> SendAsync(ClaimsPrincipal user, HttpMethod method, string path, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.FindFirstValue(PortalPolicies.KeyClaim));
        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadAsStringAsync(ct);
            throw new GatewayException(response.StatusCode, problem);
        }
    }
}

public sealed class GatewayException(HttpStatusCode status, string problem) : Exception($"The Gateway answered {(int)status}: {problem}")
{
    public HttpStatusCode Status => status;
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
