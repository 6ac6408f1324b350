using FluentValidation;

namespace VendorGate.Gateway.Identity;

public sealed record CreateStaffRequest(string Name, string[] Roles);

public sealed record CreateKeyRequest(DateTimeOffset? ExpiresAt);

public sealed record DeactivateRequest(string Reason);

public sealed class DeactivateValidator : AbstractValidator<DeactivateRequest>
{
    public DeactivateValidator() =>
        RuleFor(r => r.Reason).NotNull().Must(r => r is not null && r.Trim().Length >= 10)
            .WithMessage("Say why, in at least 10 characters.").MaximumLength(4000);
}

public sealed record CreatedKey(string Id, string Token, DateTimeOffset? ExpiresAt);

public sealed record KeyView(string Id, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)
{
    public static KeyView Of(ApiKey k) => new(k.Id, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt);
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
    }
}

public sealed class CreateKeyValidator : AbstractValidator<CreateKeyRequest>
{
    public CreateKeyValidator() =>
        RuleFor(r => r.ExpiresAt).Must(at => at is null || at > DateTimeOffset.UtcNow).WithMessage("expiresAt must be in the future.");
}
