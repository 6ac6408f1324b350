namespace VendorGate.Gateway.Identity;

/// <summary><c>VendorGate:Identity</c>: the OpenID providers whose tokens sign staff in, and the staff actions that need one.</summary>
public sealed class IdentityOptions
{
    public const string Section = "VendorGate:Identity";

    /// <summary>Trusted issuers (<c>VendorGate:Identity:Oidc:0:Issuer</c>, …). Empty: API keys only (the embedded default).</summary>
    public List<OidcIssuerOptions> Oidc { get; set; } = [];

    /// <summary>Staff actions refused to an API key (<see cref="StaffActions"/>): review, override, revoke, cut.</summary>
    public string[] RequireOidcFor { get; set; } = [];
}

/// <summary>One OpenID provider, e.g. Entra ID (<c>https://login.microsoftonline.com/{tenant}/v2.0</c>) or Okta.</summary>
public sealed class OidcIssuerOptions
{
    /// <summary>The <c>iss</c> of its tokens, exactly; its discovery document is read from <c>{Issuer}/.well-known/openid-configuration</c>.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>The <c>aud</c> its access tokens carry for the Gateway (Entra ID: the app's <c>api://…</c> URI or client id).</summary>
    public string Audience { get; set; } = "";

    /// <summary>The claim that names the person at the provider, bound to one staff principal: <c>sub</c>, or for Entra ID
    /// <c>oid</c> (the object id an admin sees in the directory).</summary>
    public string SubjectClaim { get; set; } = "sub";

    /// <summary>A claim listing the person's roles at the provider (Entra ID app roles: <c>roles</c>). When set, a token
    /// acts with the roles registered in the Gateway that the provider also grants (through <see cref="RoleMap"/>), so
    /// removing someone's role at the provider takes effect with their next token. Unset: the registered roles.</summary>
    public string? RoleClaim { get; set; }

    /// <summary>Provider role value → VendorGate staff role (e.g. <c>VendorGate.Maintainer</c> → <c>maintainer</c>).
    /// Values not mapped are ignored; with no map, values are taken as VendorGate role names.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = [];

    /// <summary>Discovery over HTTPS; an <c>http://</c> issuer is accepted only on loopback (a provider on this machine).</summary>
    public bool RequireHttpsMetadata => !(Uri.TryCreate(Issuer, UriKind.Absolute, out var uri) && uri.IsLoopback);
}

/// <summary>Staff actions a deployment may reserve to OpenID Connect sign-in (<c>VendorGate:Identity:RequireOidcFor</c>).</summary>
public static class StaffActions
{
    public const string Review = "review";
    public const string Override = "override";
    public const string Revoke = "revoke";
    public const string Cut = "cut";

    public static readonly string[] All = [Review, Override, Revoke, Cut];
}
