using System.Text.Json;
using FluentValidation;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Webhooks;

namespace VendorGate.Gateway.Revocations;

public sealed record RevocationRequest(Guid? AnnotatorId, Guid? BatchId, string Reason);

public sealed class RevocationValidator : AbstractValidator<RevocationRequest>
{
    public RevocationValidator()
    {
        RuleFor(r => r).Must(r => r.AnnotatorId.HasValue ^ r.BatchId.HasValue).WithName("target")
            .WithMessage("Name exactly one of annotatorId or batchId.");
        RuleFor(r => r.Reason).Reason(10, "Say why, in at least 10 characters.");
    }
}

public sealed record AffectedSnapshot(string Version, long Count);

public sealed record AffectedModel(string Name, string Snapshot, long Count);

public sealed record RevocationView(Guid Id, string Status, Guid? AnnotatorId, Guid? BatchId, string Reason, Guid RequestedBy, DateTimeOffset RequestedAt,
    IReadOnlyList<Guid> Batches, string? NewSnapshot, long RemovedCount, IReadOnlyList<AffectedSnapshot> AffectedSnapshots,
    IReadOnlyList<AffectedModel> AffectedModels, DateTimeOffset? CompletedAt, string? AttestationDigest, string? Error, AttestationView? Attestation)
{
    public static RevocationView Of(Revocation r) => new(r.Id, r.Status, r.AnnotatorId, r.BatchId, r.Reason, r.RequestedBy, r.RequestedAt,
        r.Batches.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList(), r.NewSnapshot, r.RemovedCount,
        JsonSerializer.Deserialize<List<AffectedSnapshot>>(r.AffectedSnapshots, JsonSerializerOptions.Web)!,
        JsonSerializer.Deserialize<List<AffectedModel>>(r.AffectedModels, JsonSerializerOptions.Web)!, r.CompletedAt, r.Attestation.Digest, r.Attestation.Error,
        r.Attestation.View());
}

public sealed record RevocationAccepted(Guid Id, string Status);

public static class RevocationsApi
{

    public static IEndpointRouteBuilder MapRevocations(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/revocations").WithTags("Revocations").AddEndpointFilter<ValidationFilter>()
            .ProducesProblem(401).ProducesProblem(403);
        group.MapPost("/", Revoke).RequireAuthorization(Policies.Override).RequireOidcFor(StaffActions.Revoke)
            .WithName("Revoke").WithSummary("Revokes an annotator (keys stop at once, batches rejected) or one batch; a new minor snapshot without their examples follows (security).")
            .ProducesValidationProblem().ProducesProblem(404);
        group.MapGet("/", List).RequireAuthorization(Policies.ReadCorpus)
            .WithName("ListRevocations").WithSummary("Revocations, newest first, with their impact; page with ?cursor=.").ProducesValidationProblem();
        group.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.ReadCorpus)
            .WithName("GetRevocation").WithSummary("A revocation: status, the new snapshot, and the snapshots and models it affected.").ProducesProblem(404);
        group.MapGet("/{id:guid}/attestation", Attestation).RequireAuthorization(Policies.ReadCorpus).WithTags("Attestations")
            .WithName("GetRevocationAttestation")
            .WithSummary("The completed revocation's DSSE envelope (" + RevocationAttestation.PredicateType + "); ?format=" + AttestationFormat.Description)
            .Produces<AttestationsApi.DsseEnvelopeDocument>(200, "application/json", VendorGate.Attest.Dsse.SigstoreBundle.MediaType)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        return routes;
    }

    private static async Task<Results<Ok<Page<RevocationView>>, ValidationProblem>> List([FromServices] VendorGateDb db, string? cursor, int? limit,
        CancellationToken ct)
    {
        return await Paging.ByIdAsync(db.Set<Revocation>().AsNoTracking(), r => r.Id, newestFirst: true, cursor, limit, ct) is { } page
            ? TypedResults.Ok(page.Select(RevocationView.Of))
            : Paging.BadCursor();
    }

    private static async Task<Results<Accepted<RevocationAccepted>, ValidationProblem, ProblemHttpResult>> Revoke(
        RevocationRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] IBackgroundJobClient jobs,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await audit.LockAsync(ct);
        // Idempotent: the same target revoked again is the same revocation.
        var existing = await db.Set<Revocation>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.AnnotatorId == request.AnnotatorId && r.BatchId == request.BatchId, ct);
        if (existing is not null)
        {
            return TypedResults.Accepted($"/v1/revocations/{existing.Id}", new RevocationAccepted(existing.Id, existing.Status));
        }

        var now = time.Now();
        List<Batch> batches;
        if (request.AnnotatorId is { } annotatorId)
        {
            var principal = await db.Principals.FirstOrDefaultAsync(p => p.Id == annotatorId, ct);
            if (principal is null)
            {
                return Problems.NotFound("Principal");
            }
            if (principal.Kind != PrincipalKinds.Vendor)
            {
                return Problems.Create(403, "separation-of-duties",
                    "Security revokes vendor principals and batches; a staff member is deactivated by an admin (POST /v1/principals/{id}/deactivation).");
            }
            principal.RevokedAt ??= now; // every key of theirs stops on the next request
            batches = await db.Batches.Where(b => b.SubmitterId == annotatorId).ToListAsync(ct);
        }
        else
        {
            batches = await db.Batches.Where(b => b.Id == request.BatchId).ToListAsync(ct);
            if (batches.Count == 0)
            {
                return Problems.NotFound("Batch");
            }
        }
        var revoked = new List<Batch>();
        foreach (var batch in batches)
        {
            if (BatchLifecycle.Revocation(batch.Status) is { } revoke)
            {
                batch.Apply(revoke);
                revoked.Add(batch);
            }
        }
        var revocation = new Revocation
        {
            AnnotatorId = request.AnnotatorId, BatchId = request.BatchId, Reason = request.Reason.Trim(), RequestedBy = caller.Id, RequestedAt = now,
            Status = RevocationStatus.Pending, Batches = string.Join(' ', batches.Select(b => b.Id)),
        };
        foreach (var batch in revoked) // those already out (rejected, revoked) were told so then
        {
            WebhookEvents.Publish(db, WebhookEvents.BatchRevoked, batch.VendorId, new { batchId = batch.Id, batch.VendorId, batch.Status, revocationId = revocation.Id }, now);
        }
        db.Add(revocation);
        await audit.RecordAsync(caller.Actor, "revocation.request", request.AnnotatorId is { } a ? $"principal:{a}" : $"batch:{request.BatchId}",
            new { revocation.Id, revocation.Reason, batches = batches.Count }, ct);
        await tx.CommitAsync(ct);
        jobs.Enqueue<RevocationJob>(job => job.RunAsync(revocation.Id, CancellationToken.None));
        return TypedResults.Accepted($"/v1/revocations/{revocation.Id}", new RevocationAccepted(revocation.Id, revocation.Status));
    }

    private static async Task<Results<Ok<RevocationView>, ProblemHttpResult>> Get(Guid id, [FromServices] VendorGateDb db, CancellationToken ct) =>
        await db.Set<Revocation>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } r
            ? TypedResults.Ok(RevocationView.Of(r))
            : Problems.NotFound("Revocation");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Attestation(Guid id, string? format, [FromServices] VendorGateDb db,
        [FromServices] IBlobStore blobs, [FromServices] SigningKeyRegistry keys, CancellationToken ct)
    {
        if (await db.Set<Revocation>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is not { } revocation)
        {
            return Problems.NotFound("Revocation");
        }
        if (AttestationFormat.Check(format) is { } badFormat)
        {
            return badFormat;
        }
        return revocation.Attestation.IsSigned
            ? await AttestationFormat.ServeAsync(blobs, RevocationAttestation.BlobName(id), format, keys, ct)
            : Problems.Conflict("attestation-pending", revocation.Attestation.NotSignedYet("revocation", "The revocation is not complete yet."));
    }
}
