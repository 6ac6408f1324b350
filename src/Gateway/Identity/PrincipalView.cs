namespace VendorGate.Gateway.Identity;

public sealed record PrincipalView(Guid Id, string Kind, string Handle, string? DisplayName, Guid? VendorId,
    IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, bool Service, OidcIdentity? Oidc)
{
    public static PrincipalView Of(Principal p) => new(p.Id, p.Kind, p.Handle, p.DisplayName, p.VendorId, p.Roles, p.CreatedAt, p.RevokedAt, p.Service,
        p.OidcIssuer is null ? null : new OidcIdentity(p.OidcIssuer, p.OidcSubject, p.OidcEmail));
}
