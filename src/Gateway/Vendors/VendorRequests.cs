using FluentValidation;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Vendors;

public sealed record CreateVendorRequest(string Name, string Jurisdiction, string ContactEmail);

public sealed record CreateRosterMemberRequest(string Handle, string? DisplayName);

public sealed record VendorView(Guid Id, string Name, string Jurisdiction, string ContactEmail, DateTimeOffset CreatedAt)
{
    public static VendorView Of(Vendor v) => new(v.Id, v.Name, v.Jurisdiction, v.ContactEmail, v.CreatedAt);
}

public sealed class CreateVendorValidator : AbstractValidator<CreateVendorRequest>
{
    public CreateVendorValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(TextLimits.Name);
        RuleFor(r => r.Jurisdiction).NotEmpty().MaximumLength(100);
        RuleFor(r => r.ContactEmail).NotEmpty().EmailAddress().MaximumLength(TextLimits.Email);
    }
}

public sealed class CreateRosterMemberValidator : AbstractValidator<CreateRosterMemberRequest>
{
    public CreateRosterMemberValidator()
    {
        RuleFor(r => r.Handle).Must(Identity.Names.IsHandle).WithMessage(Identity.Names.HandleRule);
        RuleFor(r => r.DisplayName).Must(n => n is null || Identity.Names.Clean(n) is not null).WithMessage(Identity.Names.NameRule);
    }
}
