using FluentValidation;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Reviews;

public sealed record ReviewRequest(string Decision, string? Comment);

public sealed record OverrideRequest(string[] FindingCodes, string Justification);

public sealed record ReviewView(Guid ReviewerId, string Reviewer, string Decision, string? Comment, DateTimeOffset At)
{
    public static ReviewView Of(Review r) => new(r.ReviewerId, r.ReviewerHandle, r.Decision, r.Comment, r.At);
}

public sealed record OverrideView(Guid SecurityId, string By, string[] FindingCodes, string Justification, DateTimeOffset At)
{
    public static OverrideView Of(FindingOverride o) => new(o.SecurityId, o.SecurityHandle, o.FindingCodes.Split(' '), o.Justification, o.At);
}

public sealed class ReviewValidator : AbstractValidator<ReviewRequest>
{
    public ReviewValidator()
    {
        RuleFor(r => r.Decision).Must(d => d is Decisions.Approve or Decisions.Reject).WithMessage("decision is approve or reject.");
        RuleFor(r => r.Comment).NotEmpty().When(r => r.Decision == Decisions.Reject).WithMessage("Say why the batch is rejected.");
        RuleFor(r => r.Comment).MaximumLength(TextLimits.Prose);
    }
}

public sealed class OverrideValidator : AbstractValidator<OverrideRequest>
{
    public OverrideValidator()
    {
        RuleFor(r => r.FindingCodes).NotEmpty();
        RuleFor(r => r.Justification).Reason(20, "The justification says why the findings do not stop this batch, in at least 20 characters.");
    }
}
