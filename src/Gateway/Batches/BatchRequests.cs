using System.Text.RegularExpressions;
using FluentValidation;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Batches;

/// <summary>For synthetic batches: what generated the examples.</summary>
public sealed record SyntheticGenerator(string Model, string PromptTemplateDigest, long Seed);

public sealed record CreateBatchRequest(
    string Justification,
    string License,
    string Source,
    string[] DeclaredDomains,
    string? IdempotencyKey,
    Guid? ParentBatchId,
    SyntheticGenerator? Generator);

public static partial class DomainName
{
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    public static partial Regex Pattern();
}

public sealed class CreateBatchValidator : AbstractValidator<CreateBatchRequest>
{
    public const int MinJustification = 20;

    public CreateBatchValidator()
    {
        RuleFor(r => r.Justification).Reason(MinJustification, $"The justification says why this data belongs in the corpus, in at least {MinJustification} characters.");
        RuleFor(r => r.License).Custom((license, context) =>
        {
            if (!LicenseExpression.TryParse(license, out _, out var error))
            {
                context.AddFailure($"Not an SPDX licence expression: {error}.");
            }
        });
        RuleFor(r => r.Source).Must(s => s is BatchSources.Vendor or BatchSources.Synthetic or BatchSources.Internal)
            .WithMessage("source is one of vendor, synthetic, internal.");
        RuleFor(r => r.DeclaredDomains).NotEmpty().WithMessage("Declare at least one domain.")
            .Must(d => d is null || d.Length <= 50).WithMessage("At most 50 domains.");
        RuleForEach(r => r.DeclaredDomains).Must(d => d is not null && DomainName.Pattern().IsMatch(d))
            .WithMessage("A domain is 1-64 characters: lower-case letters, digits, '.', '_' or '-'.");
        RuleFor(r => r.IdempotencyKey).MaximumLength(TextLimits.Name);
        RuleFor(r => r.Generator).NotNull().When(r => r.Source == BatchSources.Synthetic)
            .WithMessage("A synthetic batch records its generator: model, promptTemplateDigest, seed.");
        RuleFor(r => r.Generator).Null().When(r => r.Source != BatchSources.Synthetic)
            .WithMessage("Only synthetic batches have a generator.");
        RuleFor(r => r.Generator!.Model).NotEmpty().MaximumLength(TextLimits.Name).When(r => r.Generator is not null);
        RuleFor(r => r.Generator!.PromptTemplateDigest).Matches("^sha256:[0-9a-f]{64}$").When(r => r.Generator is not null)
            .WithMessage("promptTemplateDigest is sha256:<64 lower-case hex digits>.");
    }
}
