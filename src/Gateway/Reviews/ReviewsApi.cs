using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Webhooks;

namespace VendorGate.Gateway.Reviews;

/// <summary>The two-person rule, enforced here: a batch is approved only by maintainers other than its submitter and
/// outside the submitter's vendor, after its scan, and (quarantined batches) after security overrode the blocking findings.</summary>
public static class ReviewsApi
{
    /// <summary>A batch's <c>/reviews</c> and <c>/overrides</c>.</summary>
    public static ResourceRoutes MapReviews(this ResourceRoutes batch)
    {
        var group = batch.One.MapGroup("").WithTags("Reviews").AddEndpointFilter<ValidationFilter>()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/reviews", Review).RequireAuthorization(Policies.Merge).RequireOidcFor(StaffActions.Review)
            .WithName("ReviewBatch").WithSummary("Approve or reject a batch (maintainer; never the submitter or the submitter's vendor).");
        group.MapPost("/overrides", Override).RequireAuthorization(Policies.Override).RequireOidcFor(StaffActions.Override)
            .WithName("OverrideFindings").WithSummary("Security overrides a quarantined batch's blocking findings, naming them; the batch goes to review.");
        return batch;
    }

    private static async Task<Results<Ok<BatchView>, ProblemHttpResult>> Review(
        Guid batchId, ReviewRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit,
        [FromServices] IBackgroundJobClient jobs, [FromServices] IOptions<ReviewOptions> options, [FromServices] TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await audit.LockAsync(ct); // decisions on one batch are serialized: two concurrent approvals both count
        var batch = await db.Batches.Include(b => b.Findings).Include(b => b.Reviews).Include(b => b.Overrides).FirstOrDefaultAsync(b => b.Id == batchId, ct);
        if (batch is null)
        {
            return Problems.NotFound("Batch");
        }
        if (batch.SubmitterId == caller.Id)
        {
            return Problems.Create(403, "two-person-rule", "You submitted this batch; someone else must review it.");
        }
        if (caller.VendorId is not null && caller.VendorId == batch.VendorId)
        {
            return Problems.Create(403, "two-person-rule", "A principal of the submitter's vendor cannot review its batches.");
        }
        switch (batch.Status)
        {
            case BatchStatus.Quarantined:
                return Problems.Create(403, "quarantined", "The batch has blocking findings; security must override them before it can be reviewed.");
            case BatchStatus.Open or BatchStatus.Received or BatchStatus.Scanning:
                return Problems.Conflict("not-reviewable", $"The batch is '{batch.Status}': it can be reviewed once scanned.");
            case var status when !BatchLifecycle.Approve.Allows(status):
                return Problems.Conflict("already-decided", $"The batch is '{batch.Status}'; its review is over.");
        }
        if (request.Decision == Decisions.Approve && batch.Overrides.Any(o => o.SecurityId == caller.Id))
        {
            return Problems.Create(403, "two-person-rule", "You overrode this batch's blocking findings; someone else must approve it.");
        }
        if (request.Decision == Decisions.Approve && batch.Reviews.Any(r => r.ReviewerId == caller.Id && r.Decision == Decisions.Approve))
        {
            return Problems.Conflict("already-approved", "You approved this batch already; a second approval must come from someone else.");
        }

        var now = time.Now();
        var review = new Review
        {
            BatchId = batchId, ReviewerId = caller.Id, ReviewerHandle = caller.Handle, Decision = request.Decision, Comment = request.Comment, At = now,
            Credential = caller.Credential, CredentialIssuer = caller.OidcIssuer, CredentialSubject = caller.OidcSubject,
        };
        db.Reviews.Add(review); // added explicitly: a pre-set id found through a navigation would look like an existing row
        var required = RequiredApprovals(batch, options.Value);
        var approvals = batch.Reviews.Where(r => r.Decision == Decisions.Approve).Select(r => r.ReviewerId).Distinct().Count();
        if (request.Decision == Decisions.Reject)
        {
            batch.Apply(BatchLifecycle.Reject);
        }
        else if (approvals >= required)
        {
            batch.Apply(BatchLifecycle.Approve);
            batch.Approval.Due();
        }
        if (batch.Status is BatchStatus.Approved or BatchStatus.Rejected)
        {
            WebhookEvents.Publish(db, batch.Status == BatchStatus.Approved ? WebhookEvents.BatchApproved : WebhookEvents.BatchRejected, batch.VendorId,
                new { batchId, batch.VendorId, batch.Status, approvals, required, reviewerId = caller.Id }, now);
        }
        await audit.RecordAsync(caller.Actor, $"batch.review.{request.Decision}", $"batch:{batchId}",
            new { request.Comment, approvals, required, status = batch.Status }, ct);
        await tx.CommitAsync(ct);
        if (batch.Status == BatchStatus.Approved)
        {
            AttestJob.Enqueue(jobs, ApprovalAttestation.Kind, batchId.ToString());
        }
        return TypedResults.Ok(BatchView.Of(batch, await SubmitterHandle(db, batch, ct)));
    }

    private static async Task<Results<Ok<BatchView>, ValidationProblem, ProblemHttpResult>> Override(
        Guid batchId, OverrideRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await audit.LockAsync(ct);
        var batch = await db.Batches.Include(b => b.Findings).Include(b => b.Reviews).Include(b => b.Overrides).FirstOrDefaultAsync(b => b.Id == batchId, ct);
        if (batch is null)
        {
            return Problems.NotFound("Batch");
        }
        if (batch.SubmitterId == caller.Id)
        {
            return Problems.Create(403, "two-person-rule", "You submitted this batch; someone else must override its findings.");
        }
        if (batch.Reviews.Any(r => r.ReviewerId == caller.Id && r.Decision == Decisions.Approve))
        {
            return Problems.Create(403, "two-person-rule", "You approved this batch; someone else must override its findings.");
        }
        if (!BatchLifecycle.Override.Allows(batch.Status))
        {
            return Problems.Conflict("not-quarantined", $"The batch is '{batch.Status}'; only quarantined batches are overridden.");
        }
        var blocking = batch.Findings.Where(f => f.Severity == Severity.Block).Select(f => f.Code).ToHashSet();
        var named = request.FindingCodes.ToHashSet();
        if (named.Except(blocking).ToList() is { Count: > 0 } unknown)
        {
            return Problems.Invalid("findingCodes", $"Not blocking findings of this batch: {string.Join(", ", unknown)}.");
        }
        if (blocking.Except(named).ToList() is { Count: > 0 } missing)
        {
            return Problems.Invalid("findingCodes", $"Every blocking finding must be named; missing: {string.Join(", ", missing)}.");
        }
        db.Add(new FindingOverride
        {
            BatchId = batchId, SecurityId = caller.Id, SecurityHandle = caller.Handle, FindingCodes = string.Join(' ', named.Order()),
            Justification = request.Justification.Trim(), At = time.Now(),
        });
        batch.Apply(BatchLifecycle.Override);
        await audit.RecordAsync(caller.Actor, "batch.override", $"batch:{batchId}", new { findingCodes = named.Order(), request.Justification }, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(BatchView.Of(batch, await SubmitterHandle(db, batch, ct)));
    }

    /// <summary>Two distinct approvals when a declared domain is sensitive, else one.</summary>
    public static int RequiredApprovals(Batch batch, ReviewOptions options) =>
        batch.DeclaredDomains.Split(' ').Intersect(options.SensitiveDomains).Any() ? 2 : 1;

    private static Task<string> SubmitterHandle(VendorGateDb db, Batch batch, CancellationToken ct) =>
        db.Principals.Where(p => p.Id == batch.SubmitterId).Select(p => p.Handle).FirstAsync(ct);
}
