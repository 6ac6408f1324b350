using System.Text.Json;
using FluentValidation;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Exports;

public sealed record ExportRequest(string? Format);

public sealed class ExportRequestValidator : AbstractValidator<ExportRequest>
{
    public ExportRequestValidator() => RuleFor(r => r.Format).Must(f => ExportFormats.All.Contains(f))
        .WithMessage($"format must be one of: {string.Join(", ", ExportFormats.All)}.");
}

public sealed record ExportAccepted(Guid Id, string Status);

public sealed record ExportView(Guid Id, string Snapshot, string Format, string Status, long Rows, long RowsWritten, IReadOnlyList<ExportFile> Files,
    Guid RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt, string? Error, AttestationView? Attestation)
{
    public static ExportView Of(SnapshotExport e) => new(e.Id, e.SnapshotVersion, e.Format, e.Status, e.Rows, e.RowsWritten,
        JsonSerializer.Deserialize<List<ExportFile>>(e.Files, JsonSerializerOptions.Web)!, e.RequestedBy, e.RequestedAt, e.CompletedAt, e.Error,
        e.Attestation.View());
}

public static class ExportsApi
{
    public static IEndpointRouteBuilder MapExports(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/snapshots/{version}/exports", Export).WithTags("Exports").AddEndpointFilter<ValidationFilter>()
            .RequireAuthorization(Policies.Export)
            .WithName("ExportSnapshot")
            .WithSummary("Exports a signed snapshot for training pipelines (format: parquet): sharded files with provenance per row, a dataset card and a signed statement of their digests. Once per snapshot and format: asking again returns the same export.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        var group = routes.MapGroup("/v1/exports").WithTags("Exports").RequireAuthorization(Policies.ReadCorpus)
            .ProducesProblem(401).ProducesProblem(403);
        group.MapGet("/", List).WithName("ListExports").WithSummary("Exports, newest first (?snapshot= for one snapshot's); page with ?cursor=.")
            .ProducesValidationProblem();
        group.MapGet("/{id:guid}", Get).WithName("GetExport")
            .WithSummary("An export: status (writing, signing, completed), progress, its files with their SHA-256 and size, and its attestation.")
            .ProducesProblem(404);
        group.MapGet("/{id:guid}/files/{**name}", File).WithName("GetExportFile")
            .WithSummary("One file of an export, e.g. data/train-00000-of-00001.parquet or README.md (its SHA-256 in Repr-Digest and the ETag; ranges served).")
            .Produces(200, contentType: "application/vnd.apache.parquet").ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{id:guid}/attestation", Attestation).WithTags("Attestations").WithName("GetExportAttestation")
            .WithSummary("The export's DSSE envelope (" + ExportAttestation.PredicateType + "): subjects are its files; ?format=" + AttestationFormat.Description)
            .Produces<AttestationsApi.DsseEnvelopeDocument>(200, "application/json", VendorGate.Attest.Dsse.SigstoreBundle.MediaType)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        return routes;
    }

    private static async Task<Results<Accepted<ExportAccepted>, ValidationProblem, ProblemHttpResult>> Export(string version, ExportRequest request,
        Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] IBackgroundJobClient jobs,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (await SnapshotsApi.FindAsync(db, version, ct) is not { } snapshot)
        {
            return Problems.NotFound($"Snapshot {version}");
        }
        if (await FindAsync(db, snapshot.Version, request.Format!, ct) is { } existing)
        {
            return Accepted(existing);
        }
        if (!snapshot.Attestation.IsSigned)
        {
            // The export's statement names the snapshot's: nothing leaves before the snapshot is signed.
            return Problems.Conflict("attestation-pending", snapshot.Attestation.NotSignedYet("snapshot", "The snapshot is not signed yet."));
        }
        var export = new SnapshotExport
        {
            SnapshotVersion = snapshot.Version, Format = request.Format!, Status = ExportStatus.Writing, RequestedBy = caller.Id,
            RequestedAt = time.Now(), Rows = snapshot.Count,
        };
        db.Exports.Add(export);
        try
        {
            await audit.RecordAsync(caller.Actor, "export.request", $"export:{export.Id}", new { snapshot = snapshot.Version, export.Format }, ct);
        }
        catch (DbUpdateException)
        {
            // Asked twice at once: the first one (the unique index on snapshot and format let one in).
            if (await FindAsync(db, snapshot.Version, export.Format, ct) is { } raced)
            {
                return Accepted(raced);
            }
            throw;
        }
        ExportJob.Enqueue(jobs, export.Id);
        return Accepted(export);
    }

    private static Accepted<ExportAccepted> Accepted(SnapshotExport export) =>
        TypedResults.Accepted($"/v1/exports/{export.Id}", new ExportAccepted(export.Id, export.Status));

    private static async Task<SnapshotExport?> FindAsync(VendorGateDb db, string version, string format, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.SnapshotVersion == version && e.Format == format, ct);
    }

    private static async Task<Results<Ok<Page<ExportView>>, ValidationProblem>> List([FromServices] VendorGateDb db, string? snapshot, string? cursor,
        int? limit,
        CancellationToken ct)
    {
        var query = db.Exports.AsNoTracking();
        if (snapshot is not null)
        {
            query = query.Where(e => e.SnapshotVersion == snapshot);
        }
        return await Paging.ByIdAsync(query, e => e.Id, newestFirst: true, cursor, limit, ct) is { } page
            ? TypedResults.Ok(page.Select(ExportView.Of))
            : Paging.BadCursor();
    }

    private static async Task<Results<Ok<ExportView>, ProblemHttpResult>> Get(Guid id, [FromServices] VendorGateDb db, CancellationToken ct) =>
        await db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct) is { } export
            ? TypedResults.Ok(ExportView.Of(export))
            : Problems.NotFound("Export");

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> File(Guid id, string name, HttpContext http, [FromServices] VendorGateDb db,
        [FromServices] IBlobStore blobs, CancellationToken ct)
    {
        if (await db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct) is not { } export)
        {
            return Problems.NotFound("Export");
        }
        var files = JsonSerializer.Deserialize<List<ExportFile>>(export.Files, JsonSerializerOptions.Web)!;
        if (files.Count == 0)
        {
            return Problems.Conflict("export-pending", $"The export is still being written ({export.RowsWritten:N0} of {export.Rows:N0} rows).");
        }
        if (files.FirstOrDefault(f => f.Name == name) is not { } file)
        {
            return Problems.NotFound($"File '{name}' of export {id} (it has {string.Join(", ", files.Select(f => f.Name))})");
        }
        http.Response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(file.Sha256))}:";
        var stream = await blobs.OpenReadAsync(SnapshotExport.BlobPrefix(id) + file.Name, cancellationToken: ct);
        var type = file.Name.EndsWith(".parquet", StringComparison.Ordinal) ? "application/vnd.apache.parquet" : "text/markdown; charset=utf-8";
        return TypedResults.Stream(stream, type, fileDownloadName: Path.GetFileName(file.Name), entityTag: new EntityTagHeaderValue($"\"{file.Sha256}\""),
            enableRangeProcessing: stream.CanSeek);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Attestation(Guid id, string? format, [FromServices] VendorGateDb db,
        [FromServices] IBlobStore blobs, [FromServices] SigningKeyRegistry keys, CancellationToken ct)
    {
        if (await db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct) is not { } export)
        {
            return Problems.NotFound("Export");
        }
        if (AttestationFormat.Check(format) is { } badFormat)
        {
            return badFormat;
        }
        if (!export.Attestation.IsSigned)
        {
            return Problems.Conflict("attestation-pending", export.Attestation.NotSignedYet("export", "The export's files are still being written."));
        }
        return await AttestationFormat.ServeAsync(blobs, ExportAttestation.BlobName(id), format, keys, ct);
    }
}
