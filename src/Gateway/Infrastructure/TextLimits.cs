using FluentValidation;

namespace VendorGate.Gateway.Infrastructure;

/// <summary>How long the texts people send may be: one definition each.</summary>
public static class TextLimits
{
    /// <summary>A person's words: a justification, reason, comment, note or expectation.</summary>
    public const int Prose = 4_000;

    /// <summary>A name, trigger, model or idempotency key.</summary>
    public const int Name = 200;

    /// <summary>A snapshot message, a signature's pattern or note.</summary>
    public const int Message = 2_000;

    /// <summary>An e-mail address (RFC 5321's path limit).</summary>
    public const int Email = 320;

    /// <summary>An eval prompt.</summary>
    public const int Prompt = 20_000;

    /// <summary>A reason a named person gives for a decision (a justification, a revocation, an exception): required, at
    /// least <paramref name="minimum"/> characters once trimmed, at most <see cref="Prose"/>.</summary>
    public static IRuleBuilderOptions<T, string> Reason<T>(this IRuleBuilder<T, string> rule, int minimum, string message) =>
        rule.NotNull().Must(r => r is not null && r.Trim().Length >= minimum).WithMessage(message).MaximumLength(Prose);
}
