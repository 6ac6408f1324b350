using System.Text.RegularExpressions;
using FluentValidation;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Scanning;

public sealed record CreateSignatureRequest(string Incident, string Kind, string Pattern, string? Note);

public sealed class CreateSignatureValidator : AbstractValidator<CreateSignatureRequest>
{
    public CreateSignatureValidator()
    {
        RuleFor(r => r.Incident).NotEmpty().MaximumLength(100);
        RuleFor(r => r.Kind).Must(k => k is SignatureKinds.Regex or SignatureKinds.Digest).WithMessage("kind is 'regex' or 'digest'.");
        RuleFor(r => r.Pattern).NotEmpty().MaximumLength(TextLimits.Message);
        RuleFor(r => r.Pattern).Must(BeARegex).When(r => r.Kind == SignatureKinds.Regex)
            .WithMessage("The pattern is not a valid .NET regular expression.");
        RuleFor(r => r.Pattern).Must(p => NormalizeDigest(p) is not null).When(r => r.Kind == SignatureKinds.Digest)
            .WithMessage("An example digest is 'sha256:' and 64 hex digits (as the Gateway reports them).");
        RuleFor(r => r.Note).MaximumLength(TextLimits.Message);
    }

    private static bool BeARegex(string? pattern)
    {
        try
        {
            _ = KnownBadSignature.Compile(pattern ?? "");
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static string? NormalizeDigest(string? value)
    {
        var hex = value?.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) == true ? value[7..] : value;
        return hex is { Length: 64 } && hex.All(char.IsAsciiHexDigit) ? "sha256:" + hex.ToLowerInvariant() : null;
    }
}

public sealed record SignatureView(Guid Id, string Incident, string Kind, string Pattern, string? Note, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt)
{
    public static SignatureView Of(KnownBadSignature s) => new(s.Id, s.Incident, s.Kind, s.Pattern, s.Note, s.CreatedAt, s.RetiredAt);
}

public sealed record RescanView(Guid Id, string Status);

/// <summary>What waits to be scanned (<see cref="ScanBacklog"/>): in all, how long that is at the recent rate, the limit
/// over which new batches are refused (0: never), and who it belongs to, most first (a vendor's id, or a staff
/// contributor's principal id).</summary>
public sealed record ScanBacklogView(long WaitingExamples, int WaitingBatches, double ExamplesPerSecond, double Seconds, double LimitSeconds,
    bool Refusing, IReadOnlyList<PartyBacklogView> Parties);

public sealed record PartyBacklogView(Guid Id, long WaitingExamples);

/// <summary>Security's known-bad signatures, the trigger candidates found so far, annotator profiles, and rescans.</summary>
public static class ScanningApi
{
    public static IEndpointRouteBuilder MapScanning(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/scan").WithTags("Scanning").AddEndpointFilter<ValidationFilter>()
            .ProducesProblem(401).ProducesProblem(403);
        group.MapPost("/signatures", CreateSignature).RequireAuthorization(Policies.Override).WithName("CreateKnownBadSignature")
            .WithSummary("Adds a known-bad signature from an incident: a regex or an example digest; matching examples are blocked (security).")
            .ProducesValidationProblem();
        group.MapGet("/signatures", ListSignatures).RequireAuthorization(Policies.ReadScans).WithName("ListKnownBadSignatures")
            .WithSummary("Known-bad signatures, oldest first; retired ones with ?includeRetired=true. Page with ?cursor=.").ProducesValidationProblem();
        group.MapDelete("/signatures/{id:guid}", RetireSignature).RequireAuthorization(Policies.Override).WithName("RetireKnownBadSignature")
            .WithSummary("Retires a signature: later scans no longer use it (security).").ProducesProblem(404);
        group.MapGet("/backlog", Backlog).RequireAuthorization(Policies.ReadScans).WithName("GetScanBacklog")
            .WithSummary("What waits to be scanned, how long it takes at the recent rate, and whose it is: new batches are refused (503 scans-behind) while it is over the limit.");
        group.MapGet("/trigger-candidates", TriggerCandidates).RequireAuthorization(Policies.ReadScans).WithName("ListTriggerCandidates")
            .WithSummary("Candidate triggers ranked over all batches (or one vendor's, or one annotator's), with the annotators they concentrate on.");
        return routes;
    }

    /// <summary>A batch's <c>/scan</c> (rescan).</summary>
    public static ResourceRoutes MapRescan(this ResourceRoutes batch)
    {
        batch.One.MapPost("/scan", Rescan).WithTags("Scanning").RequireAuthorization(Policies.Rescan)
            .WithName("RescanBatch").WithSummary("Scans a quarantined batch again, e.g. after eval coverage was added (maintainer, security).")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return batch;
    }

    /// <summary>A vendor's <c>/annotators/{annotatorId}/profile</c>.</summary>
    public static ResourceRoutes MapAnnotatorProfiles(this ResourceRoutes vendor)
    {
        vendor.One.MapGet("/annotators/{annotatorId:guid}/profile", Profile).WithTags("Scanning")
            .WithName("GetAnnotatorProfile").WithSummary("An annotator's statistics against its vendor's other annotators, with outliers and trigger candidates.")
            .ProducesProblem(401).ProducesProblem(404);
        return vendor;
    }

    private static async Task<Results<Created<SignatureView>, ValidationProblem>> CreateSignature(
        CreateSignatureRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] TimeProvider time,
        CancellationToken ct)
    {
        var signature = new KnownBadSignature
        {
            Incident = request.Incident, Kind = request.Kind, Note = request.Note, CreatedAt = time.Now(), CreatedBy = caller.Id,
            Pattern = request.Kind == SignatureKinds.Digest ? CreateSignatureValidator.NormalizeDigest(request.Pattern)! : request.Pattern,
        };
        db.KnownBadSignatures.Add(signature);
        await audit.RecordAsync(caller.Actor, "signature.create", $"signature:{signature.Id}", new { signature.Incident, signature.Kind }, ct);
        return TypedResults.Created($"/v1/scan/signatures/{signature.Id}", SignatureView.Of(signature));
    }

    private static async Task<Results<Ok<Page<SignatureView>>, ValidationProblem>> ListSignatures(
        [FromServices] VendorGateDb db, bool? includeRetired, int? limit, string? cursor, CancellationToken ct)
    {
        var query = db.KnownBadSignatures.AsNoTracking().Where(s => includeRetired == true || s.RetiredAt == null);
        return await Paging.ByIdAsync(query, s => s.Id, newestFirst: false, cursor, limit, ct) is { } page
            ? TypedResults.Ok(page.Select(SignatureView.Of))
            : Paging.BadCursor();
    }

    private static async Task<Results<Ok<SignatureView>, ProblemHttpResult>> RetireSignature(
        Guid id, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var signature = await db.KnownBadSignatures.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (signature is null)
        {
            return Problems.NotFound($"Signature {id}");
        }
        if (signature.RetiredAt is null)
        {
            signature.RetiredAt = time.Now();
            signature.RetiredBy = caller.Id;
            await audit.RecordAsync(caller.Actor, "signature.retire", $"signature:{id}", new { signature.Incident }, ct);
        }
        return TypedResults.Ok(SignatureView.Of(signature));
    }

    private static async Task<Ok<ScanBacklogView>> Backlog([FromServices] ScanBacklog backlog, [FromServices] Microsoft.Extensions.Options.IOptions<ScanBacklogOptions> options)
    {
        var state = await backlog.CurrentAsync();
        var limit = options.Value.MaxSeconds;
        return TypedResults.Ok(new ScanBacklogView(state.WaitingExamples, state.WaitingBatches, Math.Round(state.ExamplesPerSecond), Math.Round(state.Seconds, 1), limit,
            limit > 0 && state.Seconds > limit, state.WaitingByParty.OrderByDescending(p => p.Value).Take(50).Select(p => new PartyBacklogView(p.Key, p.Value)).ToList()));
    }

    private static async Task<Ok<IReadOnlyList<RankedTrigger>>> TriggerCandidates(
        [FromServices] VendorGateDb db, Guid? vendorId, Guid? annotatorId, int? limit, bool? significantOnly, CancellationToken ct)
    {
        var rows = await db.TriggerCandidates.AsNoTracking()
            .Where(c => (vendorId == null || c.VendorId == vendorId) && (annotatorId == null || c.AnnotatorId == annotatorId))
            .ToListAsync(ct);
        var handles = await HandlesAsync(db, rows, ct);
        var ranked = TriggerRanking.Rank(rows, handles, Math.Clamp(limit ?? 20, 1, 200));
        return TypedResults.Ok<IReadOnlyList<RankedTrigger>>(significantOnly == false ? ranked : ranked.Where(t => t.Significant).ToList());
    }

    private static async Task<Dictionary<Guid, string>> HandlesAsync(VendorGateDb db, List<TriggerCandidate> rows, CancellationToken ct)
    {
        var ids = rows.Select(r => r.AnnotatorId).Distinct().ToList();
        return await db.Principals.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Handle, ct);
    }

    private static async Task<Results<Accepted<RescanView>, ProblemHttpResult>> Rescan(
        Guid batchId, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] IBackgroundJobClient jobs,
        CancellationToken ct)
    {
        var batch = await db.Batches.FirstOrDefaultAsync(b => b.Id == batchId, ct);
        if (batch is null)
        {
            return Problems.NotFound($"Batch {batchId}");
        }
        if (!BatchLifecycle.Rescan.Allows(batch.Status))
        {
            return Problems.Conflict("not-quarantined", $"Only a quarantined batch is scanned again; this one is {batch.Status}.");
        }
        batch.Apply(BatchLifecycle.Rescan);
        batch.ScannedExamples = 0;
        await audit.RecordAsync(caller.Actor, "batch.rescan", $"batch:{batchId}", null, ct);
        jobs.Enqueue<ScanBatchJob>(job => job.RunAsync(batchId, CancellationToken.None));
        return TypedResults.Accepted($"/v1/batches/{batchId}", new RescanView(batchId, batch.Status));
    }

    private static async Task<Results<Ok<AnnotatorProfileView>, ProblemHttpResult>> Profile(
        Guid vendorId, Guid annotatorId, Caller caller, [FromServices] VendorGateDb db, CancellationToken ct)
    {
        if (caller.IsVendor && caller.VendorId != vendorId)
        {
            return Problems.NotFound($"Annotator {annotatorId} of vendor {vendorId}");
        }
        if (!(caller.IsVendor ? caller.Has(Roles.VendorAdmin) : caller.Roles.Overlaps(Roles.BatchReaders)))
        {
            return Problems.Forbidden("Annotator profiles are read by maintainers, security, procurement, auditors and the vendor's own vendor-admins.");
        }
        var annotator = await db.Principals.AsNoTracking().FirstOrDefaultAsync(p => p.Id == annotatorId && p.VendorId == vendorId && p.Kind == PrincipalKinds.Vendor, ct);
        if (annotator is null)
        {
            return Problems.NotFound($"Annotator {annotatorId} of vendor {vendorId}");
        }
        var rows = await db.BatchProfiles.AsNoTracking().Where(p => p.VendorId == vendorId).ToListAsync(ct);
        var candidates = await db.TriggerCandidates.AsNoTracking().Where(c => c.AnnotatorId == annotatorId).ToListAsync(ct);
        var triggers = TriggerRanking.Rank(candidates, new Dictionary<Guid, string> { [annotatorId] = annotator.Handle }, 10).Where(t => t.Significant).ToList();
        return TypedResults.Ok(AnnotatorProfiles.Build(annotatorId, annotator.Handle, vendorId, rows, triggers));
    }
}
