using Azure.Core;
using Azure.Core.Pipeline;

namespace VendorGate.Attest.KeyVault;

/// <summary>
/// Key Vault's authentication handshake: the first request goes out without a token (and without its body);
/// the vault answers 401 with <c>WWW-Authenticate: Bearer authorization="https://login…/{tenant}", resource="…"</c>
/// (or <c>scope=</c>); the policy then asks the credential for a token for that scope and tenant and resends.
/// The resource must belong to the vault's own host, so a spoofed challenge cannot obtain a token for something else.
/// </summary>
internal sealed class KeyVaultChallengePolicy(TokenCredential credential) : BearerTokenAuthenticationPolicy(credential, Array.Empty<string>())
{
    private const string StashedContent = "VendorGate.KeyVault.Content";
    private volatile Challenge? _challenge;

    private sealed record Challenge(string Scope, string? TenantId);

    protected override ValueTask AuthorizeRequestAsync(HttpMessage message) =>
        _challenge is { } c ? AuthenticateAndAuthorizeRequestAsync(message, new TokenRequestContext([c.Scope], tenantId: c.TenantId)) : Stash(message);

    protected override void AuthorizeRequest(HttpMessage message)
    {
        if (_challenge is { } c)
        {
            AuthenticateAndAuthorizeRequest(message, new TokenRequestContext([c.Scope], tenantId: c.TenantId));
        }
        else
        {
            Stash(message);
        }
    }

    protected override async ValueTask<bool> AuthorizeRequestOnChallengeAsync(HttpMessage message)
    {
        if (!Accept(message))
        {
            return false;
        }
        await AuthenticateAndAuthorizeRequestAsync(message, new TokenRequestContext([_challenge!.Scope], tenantId: _challenge.TenantId));
        return true;
    }

    protected override bool AuthorizeRequestOnChallenge(HttpMessage message)
    {
        if (!Accept(message))
        {
            return false;
        }
        AuthenticateAndAuthorizeRequest(message, new TokenRequestContext([_challenge!.Scope], tenantId: _challenge.TenantId));
        return true;
    }

    // Until the scope is known, send no body: the vault will refuse this attempt anyway.
    private static ValueTask Stash(HttpMessage message)
    {
        if (message.Request.Content is { } content)
        {
            message.SetProperty(StashedContent, content);
            message.Request.Content = null;
        }
        return ValueTask.CompletedTask;
    }

    private bool Accept(HttpMessage message)
    {
        if (message.TryGetProperty(StashedContent, out var content) && content is RequestContent stashed)
        {
            message.Request.Content = stashed;
        }
        if (!message.Response.Headers.TryGetValue("WWW-Authenticate", out var header) || Parse(header) is not { } parameters)
        {
            return false;
        }
        var resource = parameters.GetValueOrDefault("resource") ?? parameters.GetValueOrDefault("scope");
        var authority = parameters.GetValueOrDefault("authorization") ?? parameters.GetValueOrDefault("authorization_uri");
        if (resource is null || !Uri.TryCreate(resource.Replace("/.default", ""), UriKind.Absolute, out var resourceUri))
        {
            return false;
        }
        var host = message.Request.Uri.Host ?? "";
        if (!host.Equals(resourceUri.Host, StringComparison.OrdinalIgnoreCase) && !host.EndsWith("." + resourceUri.Host, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"The Key Vault challenge names resource '{resourceUri.Host}', which is not the vault's host '{host}'; refusing to request a token for it.");
        }
        var scope = resource.EndsWith("/.default", StringComparison.Ordinal) ? resource : resource.TrimEnd('/') + "/.default";
        var tenant = authority is not null && Uri.TryCreate(authority, UriKind.Absolute, out var authorityUri)
            ? authorityUri.AbsolutePath.Trim('/').Split('/')[0] : null;
        _challenge = new Challenge(scope, string.IsNullOrEmpty(tenant) ? null : tenant);
        return true;
    }

    /// <summary>Parses <c>Bearer key="value", key=value</c>.</summary>
    internal static Dictionary<string, string>? Parse(string header)
    {
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in header[7..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq > 0)
            {
                result[part[..eq].Trim()] = part[(eq + 1)..].Trim().Trim('"');
            }
        }
        return result;
    }
}
