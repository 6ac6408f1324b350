using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Compliance;

public sealed record GrantExceptionRequest(string Reason, DateTimeOffset? ExpiresAt);

public sealed class GrantExceptionValidator : AbstractValidator<GrantExceptionRequest>
{
    public GrantExceptionValidator(TimeProvider time)
    {
        RuleFor(r => r.Reason).Reason(10, "Say why the vendor may upload before it is compliant, in at least 10 characters.");
        RuleFor(r => r.ExpiresAt).NotNull().WithMessage("An exception ends: give expiresAt (at most 90 days ahead).")
            .Must(e => e is null || e > time.Now()).WithMessage("expiresAt is in the future.")
            .Must(e => e is null || e <= time.Now().AddDays(ComplianceException.MaxDays))
            .WithMessage($"An exception lasts at most {ComplianceException.MaxDays} days.");
    }
}

public sealed record ReviewRevocationsRequest(string Note);

public sealed class ReviewRevocationsValidator : AbstractValidator<ReviewRevocationsRequest>
{
    public ReviewRevocationsValidator() =>
        RuleFor(r => r.Note).Reason(10, "Say what the review found, in at least 10 characters.");
}

public sealed record ExceptionView(Guid Id, Guid VendorId, string Reason, DateTimeOffset GrantedAt, Guid GrantedBy, DateTimeOffset ExpiresAt, bool InForce)
{
    public static ExceptionView Of(ComplianceException e, DateTimeOffset now) =>
        new(e.Id, e.VendorId, e.Reason, e.GrantedAt, e.GrantedBy, e.ExpiresAt, e.ExpiresAt > now);
}

public sealed record RevocationReviewView(Guid Id, Guid VendorId, string Note, DateTimeOffset At, Guid By);

/// <summary>Procurement's decisions about a vendor that the policy alone would not make: time-boxed exceptions that let
/// a vendor that is not (yet) compliant upload, and reviews that close a revocation for cause.</summary>
public static class ExceptionsApi
{
    /// <summary>A vendor's <c>/exceptions</c> and <c>/revocation-reviews</c>.</summary>
    public static ResourceRoutes MapComplianceExceptions(this ResourceRoutes vendor)
    {
        var group = vendor.One.MapGroup("").WithTags("Compliance").AddEndpointFilter<ValidationFilter>()
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        group.MapPost("/exceptions", Grant).RequireAuthorization(Policies.Procure).WithName("GrantComplianceException")
            .WithSummary("Lets a vendor that is not (yet) compliant upload until expiresAt (at most 90 days ahead), for a stated reason; audited (procurement).")
            .ProducesValidationProblem();
        group.MapGet("/exceptions", List).WithName("ListComplianceExceptions")
            .WithSummary("The vendor's exceptions, newest first, with whether each is in force; page with ?cursor=.").ProducesValidationProblem();
        group.MapPost("/revocation-reviews", Review).RequireAuthorization(Policies.Procure).WithName("ReviewRevocations")
            .WithSummary("Records procurement's review of the vendor's revocations so far; a revocation for cause keeps the vendor at-risk until then (procurement).")
            .ProducesValidationProblem();
        return vendor;
    }

    private static async Task<Results<Created<ExceptionView>, ValidationProblem, ProblemHttpResult>> Grant(
        Guid vendorId, GrantExceptionRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (await ComplianceApi.ReadableAsync(vendorId, caller, db, ct) is { } denied)
        {
            return denied;
        }
        var now = time.Now();
        var exception = new ComplianceException
        {
            VendorId = vendorId, Reason = request.Reason.Trim(), GrantedAt = now, GrantedBy = caller.Id, ExpiresAt = request.ExpiresAt!.Value,
        };
        db.ComplianceExceptions.Add(exception);
        await audit.RecordAsync(caller.Actor, "compliance.exception-granted", $"vendor:{vendorId}",
            new { exception = exception.Id, reason = exception.Reason, expiresAt = exception.ExpiresAt.UtcDateTime.ToString("O") }, ct);
        return TypedResults.Created($"/v1/vendors/{vendorId}/exceptions", ExceptionView.Of(exception, now));
    }

    private static async Task<Results<Ok<Page<ExceptionView>>, ValidationProblem, ProblemHttpResult>> List(
        Guid vendorId, Caller caller, [FromServices] VendorGateDb db, [FromServices] TimeProvider time, int? limit, string? cursor, CancellationToken ct)
    {
        if (await ComplianceApi.ReadableAsync(vendorId, caller, db, ct) is { } denied)
        {
            return denied;
        }
        var query = db.ComplianceExceptions.AsNoTracking().Where(e => e.VendorId == vendorId);
        var now = time.Now();
        return await Paging.ByIdAsync(query, e => e.Id, newestFirst: true, cursor, limit, ct) is { } page
            ? TypedResults.Ok(page.Select(e => ExceptionView.Of(e, now)))
            : Paging.BadCursor();
    }

    private static async Task<Results<Created<RevocationReviewView>, ValidationProblem, ProblemHttpResult>> Review(
        Guid vendorId, ReviewRevocationsRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (await ComplianceApi.ReadableAsync(vendorId, caller, db, ct) is { } denied)
        {
            return denied;
        }
        var review = new RevocationReview { VendorId = vendorId, Note = request.Note.Trim(), At = time.Now(), By = caller.Id };
        db.RevocationReviews.Add(review);
        await audit.RecordAsync(caller.Actor, "compliance.revocations-reviewed", $"vendor:{vendorId}", new { review = review.Id, note = review.Note }, ct);
        return TypedResults.Created($"/v1/vendors/{vendorId}/compliance", new RevocationReviewView(review.Id, vendorId, review.Note, review.At, review.By));
    }
}
