using FluentValidation;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Identity;

/// <param name="Name">The person's name as they write it ("Mia Maintainer"); a handle is made from it.</param>
/// <param name="Roles">Staff roles.</param>
/// <param name="Service">A pipeline, not a person: contributor or eval-harness only; an admin mints its keys.</param>
/// <param name="Oidc">How the person signs in through OpenID Connect: a configured issuer and their subject there, or
/// their e-mail (bound to the subject of their first sign-in with that address verified).</param>
public sealed record CreateStaffRequest(string Name, string[] Roles, bool? Service, OidcIdentity? Oidc);

public sealed record OidcIdentity(string Issuer, string? Subject, string? Email);

public sealed record CreateInvitationRequest(int? ExpiresInHours);

public sealed class CreateInvitationValidator : AbstractValidator<CreateInvitationRequest>
{
    public CreateInvitationValidator() =>
        RuleFor(r => r.ExpiresInHours).InclusiveBetween(1, 168).WithMessage("An invitation lasts 1 to 168 hours (default 24).");
}

public sealed record CreatedInvitation(string Id, Guid PrincipalId, string Invitation, DateTimeOffset ExpiresAt);

public sealed record RedeemInvitationRequest(string Invitation, DateTimeOffset? ExpiresAt);

public sealed record RedeemedKey(string Id, Guid PrincipalId, string Token, DateTimeOffset? ExpiresAt);

public sealed record CreateKeyRequest(DateTimeOffset? ExpiresAt);

public sealed record DeactivateRequest(string Reason);

public sealed class DeactivateValidator : AbstractValidator<DeactivateRequest>
{
    public DeactivateValidator() =>
        RuleFor(r => r.Reason).Reason(10, "Say why, in at least 10 characters.");
}

public sealed record CreatedKey(string Id, string Token, DateTimeOffset? ExpiresAt);

public sealed record KeyView(string Id, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt,
    string Origin, Guid? MintedBy)
{
    public static KeyView Of(ApiKey k) => new(k.Id, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt, k.Origin, k.MintedBy);
}

public sealed class CreateStaffValidator : AbstractValidator<CreateStaffRequest>
{
    public CreateStaffValidator(IOptions<IdentityOptions> identity)
    {
        var issuers = identity.Value.Oidc.Select(o => o.Issuer).ToArray();
        RuleFor(r => r.Name).Must(n => Names.Clean(n) is not null).WithMessage(Names.NameRule);
        RuleFor(r => r.Roles).NotEmpty();
        RuleForEach(r => r.Roles)
            .Must(role => !Identity.Roles.Vendor.Contains(role))
            .WithMessage("'{PropertyValue}' is a vendor role: no principal holds a vendor role and a staff role.")
            .Must(Identity.Roles.Staff.Contains)
            .WithMessage($"Unknown role '{{PropertyValue}}'; staff roles are {string.Join(", ", Identity.Roles.Staff)}.");
        RuleFor(r => r.Roles).Must(roles => roles is null || roles.All(Identity.Roles.Service.Contains)).When(r => r.Service == true)
            .WithMessage($"A service principal (a pipeline) holds only {string.Join(" or ", Identity.Roles.Service)}: it never reviews or decides.");
        RuleFor(r => r.Oidc).Null().When(r => r.Service == true).WithMessage("A service principal uses API keys; people sign in through OpenID Connect.");
        When(r => r.Oidc is not null, () =>
        {
            RuleFor(r => r.Oidc!.Issuer).Must(issuers.Contains)
                .WithMessage(issuers.Length == 0
                    ? "This Gateway trusts no OpenID provider (VendorGate:Identity:Oidc is empty)."
                    : $"Unknown issuer '{{PropertyValue}}'; this Gateway trusts {string.Join(", ", issuers)}.");
            RuleFor(r => r.Oidc).Must(o => !string.IsNullOrWhiteSpace(o!.Subject) || !string.IsNullOrWhiteSpace(o.Email))
                .WithMessage("Name the person at the provider: oidc.subject, or oidc.email (verified at the provider).");
            RuleFor(r => r.Oidc!.Subject).MaximumLength(255).Must(s => s is null || s.Length > 0 && !s.Any(char.IsControl))
                .WithMessage("oidc.subject is the provider's identifier for the person, without control characters.");
            RuleFor(r => r.Oidc!.Email).MaximumLength(TextLimits.Email).EmailAddress().When(r => r.Oidc!.Email is not null);
        });
    }
}

public sealed class CreateKeyValidator : AbstractValidator<CreateKeyRequest>
{
    public CreateKeyValidator(TimeProvider time) =>
        RuleFor(r => r.ExpiresAt).Must(at => at is null || at > time.GetUtcNow()).WithMessage("expiresAt must be in the future.");
}
