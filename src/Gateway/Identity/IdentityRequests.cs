using FluentValidation;

namespace VendorGate.Gateway.Identity;

public sealed record CreateStaffRequest(string Name, string[] Roles, bool? Service);

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
        RuleFor(r => r.Reason).NotNull().Must(r => r is not null && r.Trim().Length >= 10)
            .WithMessage("Say why, in at least 10 characters.").MaximumLength(4000);
}

public sealed record CreatedKey(string Id, string Token, DateTimeOffset? ExpiresAt);

public sealed record KeyView(string Id, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt,
    string Origin, Guid? MintedBy)
{
    public static KeyView Of(ApiKey k) => new(k.Id, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt, k.Origin, k.MintedBy);
}

public sealed class CreateStaffValidator : AbstractValidator<CreateStaffRequest>
{
    public CreateStaffValidator()
    {
        RuleFor(r => r.Name).Must(n => Names.Clean(n) is not null).WithMessage(Names.NameRule);
        RuleFor(r => r.Roles).NotEmpty();
        RuleForEach(r => r.Roles)
            .Must(role => !Identity.Roles.Vendor.Contains(role))
            .WithMessage("'{PropertyValue}' is a vendor role: no principal holds a vendor role and a staff role.")
            .Must(Identity.Roles.Staff.Contains)
            .WithMessage($"Unknown role '{{PropertyValue}}'; staff roles are {string.Join(", ", Identity.Roles.Staff)}.");
        RuleFor(r => r.Roles).Must(roles => roles is null || roles.All(Identity.Roles.Service.Contains)).When(r => r.Service == true)
            .WithMessage($"A service principal (a pipeline) holds only {string.Join(" or ", Identity.Roles.Service)}: it never reviews or decides.");
    }
}

public sealed class CreateKeyValidator : AbstractValidator<CreateKeyRequest>
{
    public CreateKeyValidator() =>
        RuleFor(r => r.ExpiresAt).Must(at => at is null || at > DateTimeOffset.UtcNow).WithMessage("expiresAt must be in the future.");
}
