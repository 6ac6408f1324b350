using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace VendorGate.TestSupport;

/// <summary>The real OpenID provider (npm <c>oidc-provider</c>) that scripts/test.sh starts on loopback
/// (scripts/oidc/provider.mjs): any login signs in, and the login is the subject.</summary>
public static partial class OidcProvider
{
    public const string Audience = "api://vendorgate";

    /// <summary>The issuer URL; the suite is run through scripts/test.sh, which starts the provider.</summary>
    public static string Issuer => Environment.GetEnvironmentVariable("VG_TEST_OIDC") is { Length: > 0 } issuer ? issuer
        : throw new InvalidOperationException("VG_TEST_OIDC is not set: run the suite with `bash scripts/test.sh`, which starts the OpenID provider.");

    /// <summary>A confidential web client with one redirect URI, through the provider's dynamic registration.</summary>
    public static async Task<(string ClientId, string ClientSecret)> RegisterClientAsync(string redirectUri)
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync($"{Issuer}/reg", new Dictionary<string, object>
        {
            ["redirect_uris"] = new[] { redirectUri }, ["token_endpoint_auth_method"] = "client_secret_post",
            ["response_types"] = new[] { "code" }, ["grant_types"] = new[] { "authorization_code" },
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"client registration failed: {(int)response.StatusCode} {body}");
        }
        return (body.GetProperty("client_id").GetString()!, body.GetProperty("client_secret").GetString()!);
    }

    /// <summary>Signs <paramref name="login"/> in through the authorization-code flow with PKCE, as a browser would
    /// (the provider's own sign-in form), and returns the access token for the Gateway.</summary>
    public static async Task<string> AccessTokenAsync(string login)
    {
        const string redirect = "http://127.0.0.1:9/callback"; // never visited: the code is read from the redirect
        var (clientId, secret) = await RegisterClientAsync(redirect);
        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var location = $"{Issuer}/auth?client_id={clientId}&response_type=code&scope=openid%20email%20vendorgate&redirect_uri={Uri.EscapeDataString(redirect)}"
            + $"&code_challenge={challenge}&code_challenge_method=S256&resource={Uri.EscapeDataString(Audience)}&state=s";
        for (var step = 0; step < 8; step++)
        {
            if (location.StartsWith(redirect, StringComparison.Ordinal))
            {
                var code = CodeParameter().Match(location).Groups[1].Value;
                using var token = await browser.PostAsync($"{Issuer}/token", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "authorization_code", ["code"] = Uri.UnescapeDataString(code), ["redirect_uri"] = redirect,
                    ["client_id"] = clientId, ["client_secret"] = secret, ["code_verifier"] = verifier,
                }));
                var body = await token.Content.ReadFromJsonAsync<JsonElement>();
                return body.TryGetProperty("access_token", out var accessToken) ? accessToken.GetString()!
                    : throw new InvalidOperationException($"token request failed: {body}");
            }
            using var response = await browser.GetAsync(location);
            if (response.StatusCode == HttpStatusCode.OK && FormAction().Match(await response.Content.ReadAsStringAsync()) is { Success: true } form)
            {
                using var submitted = await browser.PostAsync(WebUtility.HtmlDecode(form.Groups[1].Value), new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["prompt"] = "login", ["login"] = login, ["password"] = "any",
                }));
                location = Absolute(submitted.Headers.Location) ?? throw new InvalidOperationException($"sign-in form gave {(int)submitted.StatusCode}");
                continue;
            }
            location = Absolute(response.Headers.Location)
                ?? throw new InvalidOperationException($"{location}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        throw new InvalidOperationException($"the sign-in did not reach the redirect URI; last at {location}");
    }

    private static string? Absolute(Uri? location) => location is null ? null : new Uri(new Uri(Issuer), location).ToString();

    [GeneratedRegex("[?&]code=([^&]+)")]
    private static partial Regex CodeParameter();

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"[^>]*method=\"post\"")]
    private static partial Regex FormAction();
}
