using System.Reflection;
using System.Security.Claims;

namespace VendorGate.Gateway.Identity;

/// <summary>The authenticated principal of a request, taken from its API key or OpenID Connect token, never from the body.</summary>
public sealed record Caller(Guid Id, string Handle, string Kind, Guid? VendorId, IReadOnlySet<string> Roles, string Credential = KeyOrigins.Self,
    string? OidcIssuer = null, string? OidcSubject = null)
{
    public const string CredentialClaim = "credential";
    public const string VendorClaim = "vendor_id";
    public const string KindClaim = "kind";
    public const string HandleClaim = "handle";

    public bool IsVendor => Kind == PrincipalKinds.Vendor;

    public bool Has(string role) => Roles.Contains(role);

    public bool ReadsAllBatches => !IsVendor && Roles.Overlaps(Identity.Roles.BatchReaders);

    public string Actor => $"principal:{Id}";

    public static Caller From(ClaimsPrincipal user) => new(
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!),
        user.FindFirstValue(HandleClaim)!,
        user.FindFirstValue(KindClaim)!,
        user.FindFirstValue(VendorClaim) is { } v ? Guid.Parse(v) : null,
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(),
        user.FindFirstValue(CredentialClaim) ?? KeyOrigins.Self,
        user.FindFirstValue(OidcAuthentication.IssuerClaim),
        user.FindFirstValue(OidcAuthentication.SubjectClaim));

    /// <summary>Lets handlers take a <see cref="Caller"/> parameter (endpoints require authentication).</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<Caller?>(From(context.User));
}
