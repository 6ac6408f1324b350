using System.Text;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Snapshots;

public sealed record CutSnapshotRequest(string Message, Guid[]? BatchIds);

public sealed class CutSnapshotValidator : AbstractValidator<CutSnapshotRequest>
{
    public CutSnapshotValidator() => RuleFor(r => r.Message).NotEmpty().MaximumLength(TextLimits.Message);
}

/// <summary>A snapshot and its counts. <c>ManifestFormat</c>: VGT1 (a tree of chunks, every snapshot cut since manifest trees) or VGM1 (one flat blob, before).</summary>
public sealed record SnapshotView(string Version, string? Parent, string Message, long Count, string ManifestDigest, string ManifestFormat,
    IReadOnlyList<AddedBatch> AddedBatches, long Removed, long DuplicatesSkipped,
    IReadOnlyDictionary<string, long> ByVendor, IReadOnlyDictionary<string, long> ByAnnotator, IReadOnlyDictionary<string, long> ByLicense,
    IReadOnlyDictionary<string, long> ByDomain, DateTimeOffset CreatedAt, AttestationView Attestation)
{
    public static SnapshotView Of(Snapshot s)
    {
        var summary = JsonSerializer.Deserialize<SnapshotSummary>(s.Summary, JsonSerializerOptions.Web)!;
        return new(s.Version, s.Parent, s.Message, s.Count, s.ManifestDigest, s.ManifestFormat, summary.AddedBatches, summary.Removed, summary.DuplicatesSkipped,
            summary.ByVendor, summary.ByAnnotator, summary.ByLicense, summary.ByDomain, s.CreatedAt,
            s.Attestation.View()!);
    }
}

public static class SnapshotsApi
{
    public static IEndpointRouteBuilder MapSnapshots(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/snapshots").WithTags("Snapshots").AddEndpointFilter<ValidationFilter>()
            .RequireAuthorization(Policies.ReadCorpus).ProducesProblem(401).ProducesProblem(403);
        group.MapPost("/", Cut).RequireAuthorization(Policies.Merge).RequireOidcFor(StaffActions.Cut)
            .WithName("CutSnapshot").WithSummary("Cuts the next major snapshot from the latest plus the approved batches (all, or those named) (maintainer).")
            .ProducesValidationProblem().ProducesProblem(409);
        group.MapGet("/", List).WithName("ListSnapshots").WithSummary("Snapshots, newest first; page with ?cursor=.").ProducesValidationProblem();
        group.MapGet("/{version}", Get).WithName("GetSnapshot").WithSummary("One snapshot and its counts.").ProducesProblem(404);
        group.MapGet("/{version}/manifest", Manifest).WithName("GetSnapshotManifest")
            .WithSummary("Streams the manifest as NDJSON: {index, digest, batchId, annotatorId, line, domain} (with the signed domain table, enough to rebuild the binary manifest and its digest).").Produces(200, contentType: "application/x-ndjson").ProducesProblem(404);
        group.MapGet("/{version}/content", Content).WithName("GetSnapshotContent")
            .WithSummary("Streams the corpus: canonical NDJSON in manifest order (the training file).").Produces(200, contentType: "application/x-ndjson").ProducesProblem(404);
        group.MapGet("/{version}/attestation", Attestation).WithName("GetSnapshotAttestation")
            .WithSummary("The snapshot's DSSE envelope: ?kind=snapshot (default, " + SnapshotAttestation.PredicateType + ") or ?kind=provenance (the cut as "
                + StandardPredicates.SlsaProvenance + "); ?format=" + AttestationFormat.Description)
            .Produces<AttestationsApi.DsseEnvelopeDocument>(200, "application/json", VendorGate.Attest.Dsse.SigstoreBundle.MediaType)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{from}/diff/{to}", Diff).WithName("DiffSnapshots")
            .WithSummary("What changed from one snapshot to another: totals by batch and annotator; ?details=true streams the changed entries as NDJSON.")
            .Produces<DiffSummary>(200, "application/json").Produces(200, contentType: "application/x-ndjson").ProducesProblem(404);
        group.MapGet("/{version}/examples/{index:long}", BlameIndex).WithName("BlameSnapshotExample")
            .WithSummary("Example n of the snapshot and who is accountable for it.").ProducesProblem(404);

        routes.MapGet("/v1/examples/{digest}", BlameDigest).WithTags("Snapshots").RequireAuthorization(Policies.ReadCorpus)
            .WithName("BlameExampleByDigest").WithSummary("An example by digest: its blame, and every snapshot and model containing it.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return routes;
    }

    private static async Task<Results<Created<SnapshotView>, ValidationProblem, ProblemHttpResult>> Cut(
        CutSnapshotRequest request, Caller caller, [FromServices] SnapshotCutter cutter, CancellationToken ct) =>
        await cutter.CutAsync(caller, request.Message, request.BatchIds, ct) switch
        {
            CutOutcome.Cut cut => TypedResults.Created($"/v1/snapshots/{cut.Snapshot.Version}", SnapshotView.Of(cut.Snapshot)),
            CutOutcome.NothingToMerge nothing => Problems.Conflict("nothing-to-merge", nothing.Detail),
            _ => throw new InvalidOperationException("unknown cut outcome"),
        };

    /// <summary>Newest first; the cursor is the last version seen.</summary>
    private static async Task<Results<Ok<Page<SnapshotView>>, ValidationProblem>> List([FromServices] VendorGateDb db, int? limit, string? cursor,
        CancellationToken ct)
    {
        if (!Paging.TryDecodeKey(cursor, out var after) || after is not null && !TryParseVersion(after, out _, out _))
        {
            return Paging.BadCursor();
        }
        var take = Paging.Limit(limit);
        var query = db.Set<Snapshot>().AsNoTracking();
        if (after is not null && TryParseVersion(after, out var major, out var minor))
        {
            query = query.Where(s => s.Major < major || s.Major == major && s.Minor < minor);
        }
        var rows = await query.OrderByDescending(s => s.Major).ThenByDescending(s => s.Minor).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.BuildKeyed(rows, take, s => Paging.EncodeKey(s.Version), SnapshotView.Of));
    }

    private static bool TryParseVersion(string version, out int major, out int minor)
    {
        minor = 0;
        var parts = version.Split('.');
        return int.TryParse(parts[0], System.Globalization.NumberStyles.None, null, out major) && parts.Length == 2
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, null, out minor);
    }

    private static async Task<Results<Ok<SnapshotView>, ProblemHttpResult>> Get(string version, [FromServices] VendorGateDb db, CancellationToken ct) =>
        await FindAsync(db, version, ct) is { } s ? TypedResults.Ok(SnapshotView.Of(s)) : Problems.NotFound($"Snapshot {version}");

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Manifest(string version, [FromServices] VendorGateDb db,
        [FromServices] SnapshotManifests manifests, CancellationToken ct)
    {
        if (await FindAsync(db, version, ct) is not { } snapshot)
        {
            return Problems.NotFound($"Snapshot {version}");
        }
        return TypedResults.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(false), 1 << 16);
            var domains = JsonSerializer.Deserialize<List<string>>(snapshot.Domains)!;
            long index = 0;
            await foreach (var r in manifests.ReadAsync(snapshot, 0, snapshot.Count, ct))
            {
                var domain = r.Domain < 0 ? "null" : JsonSerializer.Serialize(domains[r.Domain]);
                await writer.WriteAsync($"{{\"index\":{index++},\"digest\":\"{BatchDigest.Format(r.Digest)}\",\"batchId\":\"{r.BatchId}\",\"annotatorId\":\"{r.AnnotatorId}\",\"line\":{r.Line},\"domain\":{domain}}}\n");
            }
        }, "application/x-ndjson");
    }

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Content(string version, [FromServices] VendorGateDb db,
        [FromServices] IBlobStore blobs, CancellationToken ct)
    {
        if (await FindAsync(db, version, ct) is not { } snapshot)
        {
            return Problems.NotFound($"Snapshot {version}");
        }
        return TypedResults.Stream(async body =>
        {
            // Runs of at most 64k examples: a range read each, and a run's records never a whole large batch in memory.
            await foreach (var run in SnapshotRuns.Of(db, blobs).ReadAsync(snapshot, 0, snapshot.Count, 1 << 16, ct))
            {
                await using var content = await blobs.OpenReadAsync(run.Batch.ContentBlob!, run.Start, run.End - run.Start, ct);
                await content.CopyToAsync(body, ct);
            }
        }, "application/x-ndjson");
    }

    private static async Task<Results<Ok<DiffSummary>, PushStreamHttpResult, ProblemHttpResult>> Diff(
        string from, string to, bool? details, [FromServices] VendorGateDb db, [FromServices] SnapshotDiff diff, CancellationToken ct)
    {
        if (await FindAsync(db, from, ct) is not { } a)
        {
            return Problems.NotFound($"Snapshot {from}");
        }
        if (await FindAsync(db, to, ct) is not { } b)
        {
            return Problems.NotFound($"Snapshot {to}");
        }
        return details == true
            ? TypedResults.Stream(body => diff.WriteDetailsAsync(a, b, body, ct), "application/x-ndjson")
            : TypedResults.Ok(await diff.SummarizeAsync(a, b, ct));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Attestation(string version, string? kind, string? format,
        [FromServices] VendorGateDb db, [FromServices] IBlobStore blobs, [FromServices] SigningKeyRegistry keys, CancellationToken ct)
    {
        if (await FindAsync(db, version, ct) is not { } snapshot)
        {
            return Problems.NotFound($"Snapshot {version}");
        }
        if (AttestationFormat.Check(format) is { } badFormat)
        {
            return badFormat;
        }
        if (kind is not (null or "snapshot" or "provenance"))
        {
            return Problems.Create(400, "bad-kind", "kind is snapshot (default: the VendorGate snapshot statement) or provenance (SLSA Provenance v1 of the cut).");
        }
        if (!snapshot.Attestation.IsSigned)
        {
            return Problems.Conflict("attestation-pending", snapshot.Attestation.NotSignedYet("snapshot", "The snapshot is not signed yet."));
        }
        return kind is "provenance"
            ? await AttestationFormat.ServeIfStoredAsync(blobs, SnapshotAttestation.ProvenanceBlobName(version), AttestationFormat.CompanionMissing("snapshot's provenance"), format, keys, ct)
            : await AttestationFormat.ServeAsync(blobs, SnapshotAttestation.BlobName(version), format, keys, ct);
    }

    private static async Task<Results<Ok<ExampleBlame>, ProblemHttpResult>> BlameIndex(string version, long index, [FromServices] VendorGateDb db,
        [FromServices] BlameService blame, CancellationToken ct)
    {
        if (await FindAsync(db, version, ct) is not { } snapshot)
        {
            return Problems.NotFound($"Snapshot {version}");
        }
        return await blame.ForIndexAsync(snapshot, index, ct) is { } result
            ? TypedResults.Ok(result)
            : Problems.NotFound($"Example {index} of snapshot {version} (it has {snapshot.Count})");
    }

    private static async Task<Results<Ok<DigestBlame>, ProblemHttpResult>> BlameDigest(string digest, [FromServices] BlameService blame, CancellationToken ct)
    {
        if (!BatchDigest.TryParse(digest, out var bytes))
        {
            return Problems.Create(400, "bad-digest", "A digest is sha256:<64 hex digits>.");
        }
        return await blame.ForDigestAsync(bytes, ct) is { } result ? TypedResults.Ok(result) : Problems.NotFound($"Example {digest}");
    }

    internal static Task<Snapshot?> FindAsync(VendorGateDb db, string version, CancellationToken ct) =>
        Snapshot.TryParse(version, out _, out _)
            ? db.Set<Snapshot>().AsNoTracking().FirstOrDefaultAsync(s => s.Version == version, ct)
            : Task.FromResult<Snapshot?>(null);
}
