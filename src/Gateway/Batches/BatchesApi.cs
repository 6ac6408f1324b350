using System.Security.Cryptography;
using System.Text.Json;
using Hangfire;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Attest.Canonical;
using VendorGate.Corpus;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches.Ingest;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Webhooks;

namespace VendorGate.Gateway.Batches;

public static class BatchesApi
{
    private static readonly HashSet<string> Statuses = [.. BatchStatus.All];

    /// <summary>Maps <c>/v1/batches</c>; returns the group of one batch for the features that serve its sub-resources.</summary>
    public static ResourceRoutes MapBatches(this IEndpointRouteBuilder routes)
    {
        var batches = routes.MapGroup("/v1/batches");
        var group = batches.MapGroup("").WithTags("Batches").AddEndpointFilter<ValidationFilter>().ProducesProblem(401);

        group.MapPost("/", Create).RequireAuthorization(Policies.Upload).AddEndpointFilter<IntakeLoad.Counted>()
            .WithName("CreateBatch").WithSummary("Opens a batch (annotator, contributor). A retried create with the same idempotencyKey returns the same batch. While scans are behind or the Gateway is receiving as much as it finishes promptly: 503 scans-behind or intake-busy with Retry-After, nothing created.")
            .ProducesValidationProblem().ProducesProblem(403).ProducesProblem(409).ProducesProblem(503);
        group.MapPut("/{batchId:guid}/content", UploadContent).RequireAuthorization(Policies.Upload).AddEndpointFilter<IntakeLoad.Counted>()
            .WithMetadata(new StreamedBody("application/x-ndjson", "One JSON example per line; Content-Encoding: gzip allowed."))
            .WithName("UploadBatchContent").WithSummary("Streams the batch's NDJSON (gzip allowed) into quarantine; all lines valid or nothing is kept.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        group.MapGet("/{batchId:guid}", Get)
            .WithName("GetBatch").WithSummary("A batch with its findings.").ProducesProblem(404);
        group.MapGet("/", List)
            .WithName("ListBatches").WithSummary("Batches the caller may see, newest first, filtered by status and vendor, paged.").ProducesProblem(400);
        group.MapGet("/{batchId:guid}/examples", Examples)
            .WithName("ListBatchExamples").WithSummary("The batch's examples in canonical form with their digests (?offset=&limit=).")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        return new ResourceRoutes(batches.MapGroup("/{batchId:guid}"));
    }

    /// <summary>Uploads of a vendor the policy does not permit (non-compliant, or unassessed: no evidence yet) are refused,
    /// naming the failing requirements, unless procurement's exception is in force; under <c>warn</c> they are only logged.</summary>
    private static async Task<ProblemHttpResult?> RefusedForComplianceAsync(Guid vendorId, Compliance.ComplianceService compliance, CancellationToken ct)
    {
        if (compliance.Options.Enforcement != "refuse")
        {
            return null;
        }
        var report = await compliance.AssessAsync(vendorId, ct);
        if (report.Permitted)
        {
            return null;
        }
        var failing = report.Failing.ToList();
        var extensions = new Dictionary<string, object?> { ["requirements"] = failing.Select(r => new { r.Id, r.Title, r.Detail }).ToList() };
        const string exception = "Procurement can grant a time-boxed exception (POST /v1/vendors/{vendorId}/exceptions).";
        return report.Status == Compliance.ComplianceStatus.Unassessed
            ? Problems.Create(403, "vendor-unassessed",
                $"The vendor has no compliance evidence on file, so its uploads are refused until procurement verifies some. {exception}", extensions)
            : Problems.Create(403, "vendor-non-compliant",
                $"The vendor is non-compliant, so its uploads are refused: {string.Join(" ", failing.Select(r => $"{r.Title}: {r.Detail}"))} {exception}", extensions);
    }

    private static async Task<Results<Created<BatchView>, Ok<BatchView>, ValidationProblem, ProblemHttpResult>> Create(
        CreateBatchRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit,
        [FromServices] Compliance.ComplianceService compliance, [FromServices] IntakeLoad intake, [FromServices] ScanBacklog backlog,
        [FromServices] TimeProvider time, HttpResponse response, CancellationToken ct)
    {
        var existing = request.IdempotencyKey is { } key
            ? await db.Batches.AsNoTracking().Include(b => b.Findings).Include(b => b.Reviews).Include(b => b.Overrides)
                .FirstOrDefaultAsync(b => b.SubmitterId == caller.Id && b.IdempotencyKey == key, ct)
            : null;
        // First, as they are the cheapest checks and while intake is busy or scans are behind most creates are refused (a
        // retried create that was answered before adds nothing and is answered again).
        if (existing is null && intake.Refusal(response) is { } busy)
        {
            return busy;
        }
        if (existing is null && await backlog.RefusalAsync(caller.VendorId ?? caller.Id, response) is { } scansBehind)
        {
            return scansBehind;
        }
        if (caller.VendorId is { } vendorId && await RefusedForComplianceAsync(vendorId, compliance, ct) is { } refused)
        {
            return refused;
        }
        var allowed = caller.IsVendor ? request.Source == BatchSources.Vendor : request.Source is BatchSources.Internal or BatchSources.Synthetic;
        if (!allowed)
        {
            return Problems.Forbidden(caller.IsVendor
                ? "Vendor principals upload only with source 'vendor'."
                : "Contributors upload only with source 'internal' or 'synthetic'.");
        }
        var requestDigest = Convert.ToHexStringLower(SHA256.HashData(JsonCanonicalizer.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(request, JsonSerializerOptions.Web))));
        if (existing is not null)
        {
            return existing.RequestDigest == requestDigest
                ? TypedResults.Ok(BatchView.Of(existing, caller.Handle))
                : Problems.Conflict("idempotency-key-reused", "This idempotencyKey was used for a batch with different fields.");
        }
        if (request.ParentBatchId is { } parentId && await Visible(db, caller).AnyAsync(b => b.Id == parentId, ct) is false)
        {
            return Problems.Invalid("parentBatchId", "No batch with this id is visible to you.");
        }
        var batch = new Batch
        {
            VendorId = caller.VendorId, SubmitterId = caller.Id, Justification = request.Justification.Trim(),
            License = request.License.Trim(), Source = request.Source, DeclaredDomains = string.Join(' ', request.DeclaredDomains.Distinct()),
            Generator = request.Generator is null ? null : JsonSerializer.Serialize(request.Generator, JsonSerializerOptions.Web),
            IdempotencyKey = request.IdempotencyKey, RequestDigest = requestDigest, ParentBatchId = request.ParentBatchId, CreatedAt = time.Now(),
        };
        db.Batches.Add(batch);
        await audit.RecordAsync(caller.Actor, "batch.create", $"batch:{batch.Id}", new { batch.Source, batch.License, batch.DeclaredDomains }, ct);
        intake.Reserve(batch.Id, caller.VendorId ?? caller.Id);
        return TypedResults.Created($"/v1/batches/{batch.Id}", BatchView.Of(batch, caller.Handle));
    }

    /// <summary>What an upload works with, bound from the request's services.</summary>
    internal sealed record UploadServices([FromServices] VendorGateDb Db, [FromServices] ContentIngest Ingest, [FromServices] AuditLog Audit,
        [FromServices] IBackgroundJobClient Jobs, [FromServices] IOptions<VendorGateOptions> Options, [FromServices] Storage.Blobs.IBlobStore Blobs,
        [FromServices] TimeProvider Time);

    private static async Task<Results<Accepted<UploadReceipt>, ProblemHttpResult>> UploadContent(
        Guid batchId, HttpContext http, Caller caller, [AsParameters] UploadServices services, CancellationToken ct)
    {
        var (batch, refused) = await UploadableAsync(batchId, caller, services.Db, ct);
        if (refused is not null)
        {
            return refused;
        }
        if (!http.Request.ContentType.IsNdjson())
        {
            return Problems.Create(415, "unsupported-media-type", "Send the batch as Content-Type: application/x-ndjson.");
        }
        var encoding = http.Request.Headers.ContentEncoding.ToString();
        if (encoding is not ("" or "identity" or "gzip"))
        {
            return Problems.Create(415, "unsupported-encoding", $"Content-Encoding '{encoding}' is not supported; use gzip or none.");
        }
        var limit = services.Options.Value.Ingest.MaxBatchBytes;
        if (http.Request.ContentLength > limit && encoding != "gzip")
        {
            return Problems.Create(413, "batch-too-large", $"A batch holds at most {limit} bytes.");
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit; // the decompressed size is enforced while streaming
        }
        await using var body = encoding == "gzip" ? new VerifiedGzipStream(http.Request.Body) : http.Request.Body;
        var bodyBytes = encoding == "gzip" ? null : http.Request.ContentLength;
        using var place = await services.Ingest.EnterUploadAsync(ct);
        return await ReceiveAsync(batch!, token => services.Ingest.StartAsync(batch!, body, token, bodyBytes), http.Request.Headers[VendorSignatures.Header].ToString(),
            caller, services, inTransaction: null, ct);
    }

    /// <summary>The batch, when the caller submits it and it is open: content is uploaded (in one body or through an
    /// upload session) only then.</summary>
    internal static async Task<(Batch? Batch, ProblemHttpResult? Problem)> UploadableAsync(Guid batchId, Caller caller, VendorGateDb db, CancellationToken ct)
    {
        var batch = await Visible(db, caller).AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, ct);
        if (batch is null)
        {
            return (null, Problems.NotFound("Batch"));
        }
        if (batch.SubmitterId != caller.Id)
        {
            return (null, Problems.Forbidden("Only the batch's submitter uploads its content."));
        }
        return BatchLifecycle.Upload.Allows(batch.Status) ? (batch, null)
            : (null, Problems.Conflict("batch-not-open", $"The batch is '{batch.Status}'; content is accepted only while it is 'open'."));
    }

    /// <summary>Ingests the open batch's content (the run <paramref name="ingest"/> starts, or has started) and commits it:
    /// the single <c>PUT …/content</c> and an upload session's commit. A vendor's <paramref name="signatureHeader"/> is
    /// checked first; all lines valid or nothing is kept; <paramref name="inTransaction"/> runs in the transaction that
    /// marks the batch received.</summary>
    internal static async Task<Results<Accepted<UploadReceipt>, ProblemHttpResult>> ReceiveAsync(Batch batch, Func<CancellationToken, Task<IngestRun>> ingest,
        string signatureHeader, Caller caller, UploadServices services, Func<CancellationToken, Task>? inTransaction, CancellationToken ct)
    {
        var (db, _, audit, jobs, _, blobs, time) = services;
        var batchId = batch.Id;
        string? vendorKeyId = null;
        byte[]? vendorSignature = null;
        if (signatureHeader is { Length: > 0 })
        {
            (var problem, vendorKeyId, vendorSignature) = await VendorSignatures.CheckAsync(batch, signatureHeader, db, time.Now(), ct);
            if (problem is not null)
            {
                return problem;
            }
        }

        await using var run = await ingest(ct);
        var (contentBlob, indexBlob) = (run.ContentBlob, run.IndexBlob);
        // A vendor-signed upload must be the content its statement names: checked before anything is committed.
        var outcome = await run.FinishAsync(vendorSignature is null ? null : (digest, count) => VendorSignatures.Matches(batch, digest, count), ct);
        if (outcome.Refused is { } refused)
        {
            return Problems.Create(refused.Status, refused.Code, refused.Detail, outcome is IngestOutcome.InvalidLines invalid
                ? new Dictionary<string, object?> { ["lines"] = invalid.Errors } : null);
        }
        var accepted = (IngestOutcome.Accepted)outcome;
        var digest = Attest.Digests.BatchDigest.Format(accepted.Digest);

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var now = time.Now();
            if (await MarkReceivedAsync(db, batchId, accepted, digest, (contentBlob, indexBlob), now, (vendorKeyId, vendorSignature), ct) == 0)
            {
                await blobs.DeleteIfExistsAsync(contentBlob, CancellationToken.None);
                await blobs.DeleteIfExistsAsync(indexBlob, CancellationToken.None);
                return Problems.Conflict("batch-not-open", "Another upload to this batch finished first.");
            }
            WebhookEvents.Publish(db, WebhookEvents.BatchReceived, batch.VendorId,
                new { batchId, batch.VendorId, submitterId = batch.SubmitterId, count = accepted.Count, digest, receivedAt = now }, now);
            await audit.RecordAsync(caller.Actor, "batch.receive", $"batch:{batchId}", new { count = accepted.Count, digest, vendorKeyId }, ct);
            if (inTransaction is not null)
            {
                await inTransaction(ct);
            }
            await tx.CommitAsync(ct);
        }
        jobs.Enqueue<ScanBatchJob>(job => job.RunAsync(batchId, CancellationToken.None));
        AttestJob.Enqueue(jobs, ReceiptAttestation.Kind, batchId.ToString());
        return TypedResults.Accepted($"/v1/batches/{batchId}", new UploadReceipt(batchId, BatchStatus.Received, accepted.Count, digest));
    }

    /// <summary>Moves an open batch to received with what its ingest found; 0 when it was not open (another upload to it
    /// finished first).</summary>
    internal static Task<int> MarkReceivedAsync(VendorGateDb db, Guid batchId, IngestOutcome.Accepted accepted, string digest,
        (string Content, string Index) blobs, DateTimeOffset now, (string? KeyId, byte[]? Signature) vendor, CancellationToken ct)
    {
        var received = BatchLifecycle.Upload;
        return db.Batches.Where(b => b.Id == batchId && received.From.Contains(b.Status)).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.Status, received.To).SetProperty(b => b.Count, accepted.Count)
            .SetProperty(b => b.Digest, digest).SetProperty(b => b.ContentBytes, accepted.ContentBytes)
            .SetProperty(b => b.ContentBlob, blobs.Content).SetProperty(b => b.IndexBlob, blobs.Index)
            .SetProperty(b => b.ReceivedAt, now).SetProperty(b => b.Receipt.State, AttestationStates.Pending)
            .SetProperty(b => b.VendorSignatureKeyId, vendor.KeyId)
            .SetProperty(b => b.VendorSignature, vendor.Signature == null ? null : Convert.ToBase64String(vendor.Signature)), ct);
    }

    private static async Task<Results<Ok<BatchView>, ProblemHttpResult>> Get(Guid batchId, Caller caller, [FromServices] VendorGateDb db, CancellationToken ct)
    {
        var row = await Visible(db, caller).AsNoTracking().Include(b => b.Findings).Include(b => b.Reviews).Include(b => b.Overrides)
            .Join(db.Principals, b => b.SubmitterId, p => p.Id, (b, p) => new { Batch = b, p.Handle })
            .FirstOrDefaultAsync(x => x.Batch.Id == batchId, ct);
        return row is null ? Problems.NotFound("Batch") : TypedResults.Ok(BatchView.Of(row.Batch, row.Handle));
    }

    private static async Task<Results<Ok<Page<BatchView>>, ValidationProblem, ProblemHttpResult>> List(
        Caller caller, [FromServices] VendorGateDb db, string? status, Guid? vendorId, string? cursor, int? limit, CancellationToken ct)
    {
        if (status is not null && !Statuses.Contains(status))
        {
            return Problems.Create(400, "bad-status", $"Unknown status '{status}'; one of {string.Join(", ", Statuses)}.");
        }
        var query = Visible(db, caller).AsNoTracking();
        if (status is not null)
        {
            query = query.Where(b => b.Status == status);
        }
        if (vendorId is not null)
        {
            query = query.Where(b => b.VendorId == vendorId);
        }
        if (await Paging.ByIdAsync(query.Include(b => b.Findings).Include(b => b.Reviews).Include(b => b.Overrides), b => b.Id, newestFirst: true, cursor, limit, ct)
            is not { } page)
        {
            return Paging.BadCursor();
        }
        var submitters = page.Items.Select(b => b.SubmitterId).Distinct().ToList();
        var handles = await db.Principals.AsNoTracking().Where(p => submitters.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Handle, ct);
        return TypedResults.Ok(page.Select(b => BatchView.Of(b, handles[b.SubmitterId])));
    }

    private static async Task<Results<Ok<ExamplesPage>, ProblemHttpResult>> Examples(
        Guid batchId, Caller caller, [FromServices] VendorGateDb db, [FromServices] BatchExamples examples, long? offset, int? limit, CancellationToken ct)
    {
        var batch = await Visible(db, caller).AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, ct);
        if (batch is null)
        {
            return Problems.NotFound("Batch");
        }
        if (batch.Count is not { } count)
        {
            return Problems.Conflict("no-content", "The batch has no content yet.");
        }
        var from = offset ?? 0;
        if (from < 0)
        {
            return Problems.Create(400, "bad-offset", "offset must be zero or more.");
        }
        var take = Paging.Limit(limit);
        var items = await examples.ReadAsync(batch, from, take, ct);
        return TypedResults.Ok(new ExamplesPage(from, take, count, items));
    }

    /// <summary>The batches a caller may see: staff readers all; a vendor-admin its vendor's; everyone else their own.
    /// Anything else is a 404.</summary>
    internal static IQueryable<Batch> Visible(VendorGateDb db, Caller caller) =>
        caller.ReadsAllBatches ? db.Batches
        : caller.IsVendor && caller.Has(Roles.VendorAdmin) ? db.Batches.Where(b => b.VendorId == caller.VendorId)
        : db.Batches.Where(b => b.SubmitterId == caller.Id);

    private static bool IsNdjson(this string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase);
}
