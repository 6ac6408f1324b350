using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Boms;

/// <summary>
/// Makes an AI-BOM as asked, stores it under its SHA-256 and signs a statement of it at once (as a vendor report is):
/// subjects = the document and what it is of (the snapshot's manifest); predicate type = the format's in-toto
/// predicate (<c>https://cyclonedx.org/bom</c>, <c>https://spdx.dev/Document/v3</c>), predicate = the document.
/// The same facts give the same bytes, so asking again finds the same document and envelope.
/// </summary>
public sealed class BomMaker(VendorGateDb db, IBlobStore blobs, Attestor attestor)
{
    public sealed record Made(byte[] Document, string Hex, string MediaType);

    public static string DocumentBlob(string subject, string hex) => $"boms/{subject}/{hex}.json";

    public static string EnvelopeBlob(string subject, string hex) => $"boms/{subject}/{hex}.dsse.json";

    /// <summary>Where a subject's BOMs are kept: <c>snapshots/1.0</c>, <c>models/v2.3</c>.</summary>
    public static string SubjectPath(Snapshot snapshot, Model? model) => model is null ? $"snapshots/{snapshot.Version}" : ModelPath(model);

    public static string ModelPath(Model model) => $"models/{model.Name}";

    public async Task<Made> MakeAsync(Snapshot snapshot, Model? model, string format, CancellationToken ct)
    {
        var facts = await BomFacts.ReadAsync(db, snapshot, model, ct);
        var (document, predicateType, mediaType) = format == BomFormats.Spdx
            ? (SpdxBom.Build(facts), SpdxBom.PredicateType, SpdxBom.MediaType)
            : (CycloneDxBom.Build(facts), CycloneDxBom.PredicateType, CycloneDxBom.MediaType);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(document, Indented);
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var subject = SubjectPath(snapshot, model);
        await blobs.WriteOnceAsync(DocumentBlob(subject, hex), bytes, ct);
        var statement = new Statement(
            [new Subject($"bom.{format}.json", hex), new Subject(facts.Name, snapshot.ManifestDigest["sha256:".Length..])],
            predicateType, JsonNode.Parse(bytes)!);
        await attestor.SignAsync(EnvelopeBlob(subject, hex), _ => Task.FromResult(statement.ToCanonicalJson()), cancellationToken: ct);
        return new Made(bytes, hex, mediaType);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}

public static class BomFormats
{
    public const string CycloneDx = "cyclonedx";
    public const string Spdx = "spdx";
}

public static class BomsApi
{
    private const string FormatDescription = "cyclonedx (default: CycloneDX 1.6 JSON) or spdx (SPDX 3.0.1 JSON-LD)";

    public static IEndpointRouteBuilder MapBoms(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").WithTags("AI-BOM").RequireAuthorization(Policies.ReadBom).ProducesProblem(401).ProducesProblem(403);
        group.MapGet("/snapshots/{version}/bom", SnapshotBom).WithName("GetSnapshotBom")
            .WithSummary("The snapshot's AI-BOM, ?format=" + FormatDescription + "; stored under its SHA-256 (header VendorGate-Bom-Digest) and signed in a statement served at boms/{sha256}/attestation.")
            .Produces(200, contentType: CycloneDxBom.MediaType).ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/snapshots/{version}/boms/{digest}/attestation", SnapshotBomAttestation).WithTags("Attestations").WithName("GetSnapshotBomAttestation")
            .WithSummary("The DSSE envelope of a snapshot's AI-BOM made earlier, by its SHA-256 (hex); ?format=" + AttestationFormat.Description)
            .Produces<AttestationsApi.DsseEnvelopeDocument>(200, "application/json", SigstoreBundle.MediaType).ProducesProblem(400).ProducesProblem(404);
        group.MapGet("/models/{name}/bom", ModelBom).WithName("GetModelBom")
            .WithSummary("The model's AI-BOM: the model, trained on its snapshot, and the snapshot's data; ?format=" + FormatDescription + "; signed as the snapshot's is.")
            .Produces(200, contentType: CycloneDxBom.MediaType).ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/models/{name}/boms/{digest}/attestation", ModelBomAttestation).WithTags("Attestations").WithName("GetModelBomAttestation")
            .WithSummary("The DSSE envelope of a model's AI-BOM made earlier, by its SHA-256 (hex); ?format=" + AttestationFormat.Description)
            .Produces<AttestationsApi.DsseEnvelopeDocument>(200, "application/json", SigstoreBundle.MediaType).ProducesProblem(400).ProducesProblem(404);
        return routes;
    }

    private static ProblemHttpResult? CheckFormat(string? format) =>
        format is null or BomFormats.CycloneDx or BomFormats.Spdx ? null : Problems.Create(400, "bad-format", $"format is {FormatDescription}.");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SnapshotBom(string version, string? format, HttpContext http,
        [FromServices] VendorGateDb db, [FromServices] BomMaker boms, CancellationToken ct)
    {
        if (CheckFormat(format) is { } bad)
        {
            return bad;
        }
        if (await SnapshotsApi.FindAsync(db, version, ct) is not { } snapshot)
        {
            return Problems.NotFound($"Snapshot {version}");
        }
        return await ServeAsync(snapshot, null, format ?? BomFormats.CycloneDx, http, boms, $"/v1/snapshots/{version}", ct);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ModelBom(string name, string? format, HttpContext http,
        [FromServices] VendorGateDb db, [FromServices] BomMaker boms, CancellationToken ct)
    {
        if (CheckFormat(format) is { } bad)
        {
            return bad;
        }
        if (await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Name == name, ct) is not { } model)
        {
            return Problems.NotFound($"Model {name}");
        }
        var snapshot = await db.Snapshots.AsNoTracking().FirstAsync(s => s.Version == model.SnapshotVersion, ct);
        return await ServeAsync(snapshot, model, format ?? BomFormats.CycloneDx, http, boms, $"/v1/models/{name}", ct);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ServeAsync(Snapshot snapshot, Model? model, string format,
        HttpContext http, BomMaker boms, string path, CancellationToken ct)
    {
        if (!snapshot.Attestation.IsSigned)
        {
            // The BOM names the snapshot's statement: nothing is said of a snapshot before it is signed.
            return Problems.Conflict("attestation-pending", snapshot.Attestation.NotSignedYet("snapshot", "The snapshot is not signed yet."));
        }
        var made = await boms.MakeAsync(snapshot, model, format, ct);
        http.Response.Headers["VendorGate-Bom-Digest"] = $"sha256:{made.Hex}";
        http.Response.Headers.Link = $"<{path}/boms/{made.Hex}/attestation>; rel=\"attestation\"";
        return TypedResults.File(made.Document, made.MediaType);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SnapshotBomAttestation(string version, string digest, string? format,
        [FromServices] VendorGateDb db, [FromServices] IBlobStore blobs, [FromServices] SigningKeyRegistry keys, CancellationToken ct) =>
        await SnapshotsApi.FindAsync(db, version, ct) is { } snapshot
            ? await AttestationAsync(BomMaker.SubjectPath(snapshot, null), digest, format, blobs, keys, ct)
            : Problems.NotFound($"Snapshot {version}");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ModelBomAttestation(string name, string digest, string? format,
        [FromServices] VendorGateDb db, [FromServices] IBlobStore blobs, [FromServices] SigningKeyRegistry keys, CancellationToken ct) =>
        await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Name == name, ct) is { } model
            ? await AttestationAsync(BomMaker.ModelPath(model), digest, format, blobs, keys, ct)
            : Problems.NotFound($"Model {name}");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> AttestationAsync(string subject, string digest, string? format,
        IBlobStore blobs, SigningKeyRegistry keys, CancellationToken ct)
    {
        if (AttestationFormat.Check(format) is { } badFormat)
        {
            return badFormat;
        }
        if (digest.Length != 64 || !digest.All(char.IsAsciiHexDigitLower))
        {
            return Problems.Create(400, "bad-digest", "The digest is the BOM's SHA-256 as 64 lower-case hex digits (its VendorGate-Bom-Digest without sha256:).");
        }
        return await AttestationFormat.ServeIfStoredAsync(blobs, BomMaker.EnvelopeBlob(subject, digest), $"An AI-BOM with SHA-256 {digest} of {subject}", format, keys, ct);
    }
}
