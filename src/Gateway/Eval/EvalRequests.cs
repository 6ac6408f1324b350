using FluentValidation;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Eval;

public sealed record SetCoverageRequest(string[] ProbeIds);

public sealed class SetCoverageValidator : AbstractValidator<SetCoverageRequest>
{
    public SetCoverageValidator()
    {
        RuleFor(r => r.ProbeIds).NotNull().Must(p => p is null || p.Length <= 1000).WithMessage("At most 1,000 probes a domain.")
            .Must(p => p is null || p.Distinct(StringComparer.Ordinal).Count() == p.Length).WithMessage("Probe ids repeat.");
        RuleForEach(r => r.ProbeIds).Must(CanaryValidator.IsId).WithMessage(CanaryValidator.IdRule);
    }
}

public sealed record CreateCanaryRequest(string Id, string Prompt, string Expectation, string[]? Tags);

public sealed class CanaryValidator : AbstractValidator<CreateCanaryRequest>
{
    public const string IdRule = "A probe id is 1-100 characters: letters, digits, '.', '_', ':' or '-'.";

    public static bool IsId(string? id) =>
        id is { Length: > 0 and <= 100 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    public CanaryValidator()
    {
        RuleFor(r => r.Id).Must(IsId).WithMessage(IdRule);
        RuleFor(r => r.Prompt).NotEmpty().MaximumLength(TextLimits.Prompt);
        RuleFor(r => r.Expectation).NotEmpty().MaximumLength(TextLimits.Prose);
        RuleFor(r => r.Tags).Must(t => t is null || t.Length <= 20).WithMessage("At most 20 tags.");
        RuleForEach(r => r.Tags).Must(t => t is not null && DomainName.Pattern().IsMatch(t))
            .WithMessage("A tag is 1-64 characters: lower-case letters, digits, '.', '_' or '-'.");
    }
}

public sealed record CanariesFromTriggerRequest(string Trigger, string? Prompt, string? Expectation, string[]? Tags);

public sealed class CanariesFromTriggerValidator : AbstractValidator<CanariesFromTriggerRequest>
{
    public CanariesFromTriggerValidator()
    {
        RuleFor(r => r.Trigger).NotEmpty().MaximumLength(TextLimits.Name);
        RuleFor(r => r.Prompt).MaximumLength(TextLimits.Prompt);
        RuleFor(r => r.Expectation).MaximumLength(TextLimits.Prose);
        RuleForEach(r => r.Tags).Must(t => t is not null && DomainName.Pattern().IsMatch(t))
            .WithMessage("A tag is 1-64 characters: lower-case letters, digits, '.', '_' or '-'.");
    }
}

public sealed record CanaryResultInput(string ProbeId, bool? Passed);

public sealed record RecordCanaryResultsRequest(CanaryResultInput[] Results);

public sealed class RecordCanaryResultsValidator : AbstractValidator<RecordCanaryResultsRequest>
{
    public RecordCanaryResultsValidator()
    {
        RuleFor(r => r.Results).NotEmpty().Must(r => r is null || r.Length <= 10_000).WithMessage("Between 1 and 10,000 results.")
            .Must(r => r is null || r.Select(x => x?.ProbeId).Distinct().Count() == r.Length).WithMessage("A probe appears twice.");
        RuleForEach(r => r.Results).Must(x => x is not null && CanaryValidator.IsId(x.ProbeId) && x.Passed is not null)
            .WithMessage("Each result is {probeId, passed}.");
    }
}

public sealed record CoverageView(string Domain, IReadOnlyList<string> ProbeIds, DateTimeOffset UpdatedAt);

/// <summary>A page of the coverage map (domains in order), with the probes a domain needs.</summary>
public sealed record CoverageMap(int MinProbes, IReadOnlyList<CoverageView> Items, string? NextCursor);

public sealed record CanaryView(string Id, string Prompt, string Expectation, IReadOnlyList<string> Tags, string? Trigger, DateTimeOffset CreatedAt,
    DateTimeOffset? RetiredAt, string? RetiredReason)
{
    public static CanaryView Of(CanaryProbe p) => new(p.Id, p.Prompt, p.Expectation, p.Tags.Split(' ', StringSplitOptions.RemoveEmptyEntries), p.Trigger,
        p.CreatedAt, p.RetiredAt, p.RetiredReason);
}

public sealed record RetireCanaryRequest(string Reason);

public sealed class RetireCanaryValidator : AbstractValidator<RetireCanaryRequest>
{
    public RetireCanaryValidator() =>
        RuleFor(r => r.Reason).Reason(10, "Say why the probe is retired, in at least 10 characters.");
}

public sealed record RecordedResults(string Model, int Recorded, int Passed, int Failed);

public sealed record Regression(string ProbeId, string Prompt, IReadOnlyList<string> Tags);

public sealed record GateBaseline(string Model, string SnapshotVersion);

/// <summary>The canary gate for a model: regressions are probes that passed for the baseline and fail now; missing, probes
/// that passed for the baseline and have no result yet (not run is not passed).</summary>
public sealed record GateView(string Model, string SnapshotVersion, GateBaseline? Baseline, bool Passed, int Evaluated,
    IReadOnlyList<string> Required, IReadOnlyList<Regression> Regressions, IReadOnlyList<string> Missing, string StatementDigest, AttestationView Attestation);
