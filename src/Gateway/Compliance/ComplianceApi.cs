using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Compliance;

public sealed record EvidenceView(Guid Id, Guid VendorId, string Kind, DateTimeOffset IssuedAt, DateTimeOffset? ExpiresAt, JsonElement Declared,
    string FileName, string ContentType, long Size, string Digest, DateTimeOffset UploadedAt, DateTimeOffset? VerifiedAt)
{
    public static EvidenceView Of(VendorEvidence e) => new(e.Id, e.VendorId, e.Kind, e.IssuedAt, e.ExpiresAt,
        JsonDocument.Parse(e.Declared).RootElement.Clone(), e.FileName, e.ContentType, e.Size, e.Digest, e.UploadedAt, e.VerifiedAt);
}

public sealed record AcknowledgeRevocationRequest(string Statement);

public sealed record AcknowledgementView(Guid Id, Guid VendorId, string Statement, DateTimeOffset At);

/// <summary>Vendor compliance: evidence (uploaded by the vendor-admin or procurement, verified by procurement), the
/// revocation acknowledgement, and the status the policy gives.</summary>
public static class ComplianceApi
{
    public const long MaxEvidenceBytes = 25 * 1024 * 1024;

    /// <summary>A vendor's evidence, compliance, report and revocation acknowledgements.</summary>
    public static ResourceRoutes MapCompliance(this ResourceRoutes vendor)
    {
        var group = vendor.One.MapGroup("").WithTags("Compliance").AddEndpointFilter<ValidationFilter>()
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        group.MapPost("/evidence", Upload).DisableAntiforgery().WithName("UploadEvidence")
            .WithMetadata(new MultipartBody(
                new MultipartField("kind", $"One of {string.Join(", ", EvidenceKinds.All.Order())}.", Required: true),
                new MultipartField("issuedAt", "When the document was issued (ISO 8601 date).", Required: true),
                new MultipartField("expiresAt", "When it expires (ISO 8601 date), if it does."),
                new MultipartField("labelEditLogRetentionDays", "For a retention policy: the label-edit log retention it declares, in days."),
                new MultipartField("declared", "Other declared facts, as a JSON object."),
                new MultipartField("file", "The document (PDF or other).", Required: true, File: true)))
            .WithSummary("Files compliance evidence (multipart: kind, issuedAt, expiresAt?, labelEditLogRetentionDays?, declared? (JSON object), file) (vendor-admin, procurement).")
            .ProducesValidationProblem().ProducesProblem(413).ProducesProblem(415);
        group.MapGet("/evidence", List).WithName("ListEvidence").WithSummary("The vendor's evidence, newest first.");
        group.MapGet("/evidence/{evidenceId:guid}/file", Download).WithName("DownloadEvidence").WithSummary("The evidence document as filed.")
            .Produces(200, contentType: "application/octet-stream");
        group.MapPost("/evidence/{evidenceId:guid}/verification", Verify).WithName("VerifyEvidence")
            .WithSummary("Marks evidence verified: it counts toward requirements from now on (procurement other than whoever filed it).");
        group.MapPost("/revocation-acknowledgement", Acknowledge).WithName("AcknowledgeRevocation")
            .WithSummary("The vendor acknowledges that one annotator's contributions can be revoked after the fact (vendor-admin).").ProducesValidationProblem();
        group.MapGet("/report.pdf", Report).WithName("GetVendorReport")
            .WithSummary("A new attestation report (PDF), stored under its SHA-256 (header VendorGate-Report-Digest) and signed in a statement served at reports/{sha256}/attestation.")
            .Produces(200, contentType: "application/pdf").ProducesProblem(503);
        group.MapGet("/reports/{digest}.pdf", StoredReport).WithName("GetStoredVendorReport").WithSummary("A report made earlier, by its SHA-256 (hex).")
            .Produces(200, contentType: "application/pdf");
        group.MapGet("/reports/{digest}/attestation", ReportAttestation).WithName("GetVendorReportAttestation")
            .WithSummary("The DSSE envelope whose statement's subject is the report's SHA-256; ?format=" + Attestations.AttestationFormat.Description)
            .Produces<Attestations.AttestationsApi.DsseEnvelopeDocument>(200, "application/json", VendorGate.Attest.Dsse.SigstoreBundle.MediaType).ProducesProblem(400);
        group.MapGet("/compliance/history", History).WithName("GetComplianceHistory")
            .WithSummary("The vendor's status per day (UTC) over the last ?days= (default 90): assessed daily and whenever it is read.");
        group.MapGet("/compliance", Get).WithName("GetCompliance")
            .WithSummary("The vendor's compliance status and each requirement with whether it is met, why, and the evidence it rests on.");
        return vendor;
    }

    /// <summary>Who may see a vendor's compliance: staff who read vendors, and the vendor's own vendor-admins. Another
    /// vendor's principal gets a 404, the vendor's annotators a 403.</summary>
    internal static async Task<ProblemHttpResult?> ReadableAsync(Guid vendorId, Caller caller, VendorGateDb db, CancellationToken ct)
    {
        if (caller.IsVendor && caller.VendorId != vendorId)
        {
            return Problems.NotFound($"Vendor {vendorId}");
        }
        var may = caller.IsVendor ? caller.Has(Roles.VendorAdmin)
            : caller.Roles.Overlaps([Roles.Procurement, Roles.Auditor, Roles.Security, Roles.Maintainer, Roles.Admin]);
        if (!may)
        {
            return Problems.Forbidden("Compliance is read by procurement, auditors, security, maintainers, admins and the vendor's own vendor-admins.");
        }
        return await db.Vendors.AnyAsync(v => v.Id == vendorId, ct) ? null : Problems.NotFound($"Vendor {vendorId}");
    }

    private static async Task<Results<Created<EvidenceView>, ValidationProblem, ProblemHttpResult>> Upload(
        Guid vendorId, HttpRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] IBlobStore blobs, [FromServices] AuditLog audit,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (await ReadableAsync(vendorId, caller, db, ct) is { } denied)
        {
            return denied;
        }
        if (!(caller.IsVendor ? caller.Has(Roles.VendorAdmin) : caller.Has(Roles.Procurement)))
        {
            return Problems.Forbidden("Evidence is filed by the vendor's vendor-admin or by procurement.");
        }
        if (!request.HasFormContentType)
        {
            return Problems.Create(415, "unsupported-media-type", "Send multipart/form-data with the fields kind, issuedAt, expiresAt and file.");
        }
        if (request.ContentLength > MaxEvidenceBytes + 64 * 1024)
        {
            return Problems.Create(413, "too-large", $"Evidence documents are at most {MaxEvidenceBytes / 1048576} MiB.");
        }
        var (form, unreadable) = await ReadEvidenceFormAsync(request, ct);
        if (unreadable is not null)
        {
            return unreadable;
        }
        var errors = new Dictionary<string, string[]>();
        var kind = form["kind"].ToString();
        if (!EvidenceKinds.All.Contains(kind))
        {
            errors["kind"] = [$"kind is one of {string.Join(", ", EvidenceKinds.All.Order())}."];
        }
        DateTimeOffset issued = default, expiresValue = default;
        if (!DateTimeOffset.TryParse(form["issuedAt"], out issued))
        {
            errors["issuedAt"] = ["issuedAt is a date (ISO 8601)."];
        }
        var expires = form["expiresAt"].ToString() is { Length: > 0 } e
            ? DateTimeOffset.TryParse(e, out expiresValue) ? expiresValue : (DateTimeOffset?)null
            : null;
        if (form["expiresAt"].ToString().Length > 0 && expires is null)
        {
            errors["expiresAt"] = ["expiresAt is a date (ISO 8601)."];
        }
        else if (expires <= issued)
        {
            errors["expiresAt"] = ["expiresAt is after issuedAt."];
        }
        var declared = Declared(form, errors);
        var file = form.Files["file"];
        if (file is null || file.Length == 0)
        {
            errors["file"] = ["Attach the document as the form field 'file'."];
        }
        else if (file.Length > MaxEvidenceBytes)
        {
            return Problems.Create(413, "too-large", $"Evidence documents are at most {MaxEvidenceBytes / 1048576} MiB.");
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var id = Guid.CreateVersion7();
        var name = Path.GetFileName(file!.FileName) is { Length: > 0 and <= 200 } n ? n : "document";
        var blob = $"evidence/{vendorId}/{id}";
        byte[] hash;
        await using (var upload = await blobs.StartUploadAsync(blob, ct))
        {
            await using var source = file.OpenReadStream();
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                await upload.Content.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            hash = sha.GetHashAndReset();
            await upload.CommitAsync(ct);
        }
        var evidence = new VendorEvidence
        {
            Id = id, VendorId = vendorId, Kind = kind, IssuedAt = issued, ExpiresAt = expires, Declared = declared, FileName = name,
            ContentType = string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType, Size = file.Length,
            Blob = blob, Digest = BatchDigest.Format(hash), UploadedAt = time.Now(), UploadedBy = caller.Id,
        };
        db.VendorEvidence.Add(evidence);
        await audit.RecordAsync(caller.Actor, "evidence.upload", $"vendor:{vendorId}", new { evidence = id, kind, digest = evidence.Digest }, ct);
        return TypedResults.Created($"/v1/vendors/{vendorId}/evidence/{id}/file", EvidenceView.Of(evidence));
    }

    /// <summary>Declared values: the <c>declared</c> field (a JSON object) and the named field labelEditLogRetentionDays.</summary>
    private static string Declared(IFormCollection form, Dictionary<string, string[]> errors)
    {
        var values = new Dictionary<string, JsonElement>();
        if (form["declared"].ToString() is { Length: > 0 } json)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new JsonException();
                }
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    values[property.Name] = property.Value.Clone();
                }
            }
            catch (JsonException)
            {
                errors["declared"] = ["declared is a JSON object of declared values."];
            }
        }
        if (form["labelEditLogRetentionDays"].ToString() is { Length: > 0 } days)
        {
            if (int.TryParse(days, out var n) && n >= 0)
            {
                values["labelEditLogRetentionDays"] = JsonSerializer.SerializeToElement(n);
            }
            else
            {
                errors["labelEditLogRetentionDays"] = ["labelEditLogRetentionDays is a whole number of days."];
            }
        }
        return JsonSerializer.Serialize(values);
    }

    /// <summary>The evidence form, or the problem with it: 413 when it is larger than an evidence document may be
    /// however it was sent (chunked included), 400 when it cannot be read (no boundary, truncated, more than 64 fields).</summary>
    private static async Task<(IFormCollection Form, ProblemHttpResult? Problem)> ReadEvidenceFormAsync(HttpRequest request, CancellationToken ct)
    {
        var limit = MaxEvidenceBytes + 64 * 1024;
        var tooLarge = Problems.Create(413, "too-large", $"Evidence documents are at most {MaxEvidenceBytes / 1048576} MiB.");
        try
        {
            var options = new Microsoft.AspNetCore.Http.Features.FormOptions { MultipartBodyLengthLimit = limit, BufferBodyLengthLimit = limit, ValueCountLimit = 64 };
            return (await request.ReadFormAsync(options, ct), null);
        }
        catch (InvalidDataException e) when (e.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
        {
            return (FormCollection.Empty, tooLarge);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (FormCollection.Empty, tooLarge);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return (FormCollection.Empty, Problems.Create(400, "malformed-multipart", $"The multipart body could not be read: {e.Message}"));
        }
    }

    private static async Task<Results<Ok<Page<EvidenceView>>, ValidationProblem, ProblemHttpResult>> List(
        Guid vendorId, Caller caller, [FromServices] VendorGateDb db, int? limit, string? cursor, CancellationToken ct)
    {
        if (await ReadableAsync(vendorId, caller, db, ct) is { } denied)
        {
            return denied;
        }
        var query = db.VendorEvidence.AsNoTracking().Where(e => e.VendorId == vendorId);
        return await Paging.ByIdAsync(query, e => e.Id, newestFirst: true, cursor, limit, ct) is { } page
            ? TypedResults.Ok(page.Select(EvidenceView.Of))
            : Paging.BadCursor();
    }

    private static async Task<IResult> Download(Guid vendorId, Guid evidenceId, Caller caller, [FromServices] VendorGateDb db,
        [FromServices] IBlobStore blobs, CancellationToken ct)
    {
        if (await ReadableAsync(vendorId, caller, db, ct) is { } denied)
        {
            return denied;
        }
        var evidence = await db.VendorEvidence.AsNoTracking().FirstOrDefaultAsync(e => e.Id == evidenceId && e.VendorId == vendorId, ct);
        // Sent as an attachment of a type no browser renders as a page, whatever type the uploader claimed.
        var safeType = evidence?.ContentType is "application/pdf" ? "application/pdf" : "application/octet-stream";
        return evidence is null
            ? Problems.NotFound($"Evidence {evidenceId}")
            : TypedResults.Stream(await blobs.OpenReadAsync(evidence.Blob, cancellationToken: ct), safeType, evidence.FileName);
    }

    private static async Task<Results<Ok<EvidenceView>, ProblemHttpResult>> Verify(
        Guid vendorId, Guid evidenceId, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] TimeProvider time,
        CancellationToken ct)
    {
        if (await ReadableAsync(vendorId, caller, db, ct) is { } denied)
        {
            return denied;
        }
        if (!caller.Has(Roles.Procurement))
        {
            return Problems.Forbidden("Only procurement verifies evidence.");
        }
        var evidence = await db.VendorEvidence.FirstOrDefaultAsync(e => e.Id == evidenceId && e.VendorId == vendorId, ct);
        if (evidence is null)
        {
            return Problems.NotFound($"Evidence {evidenceId}");
        }
        if (evidence.UploadedBy == caller.Id)
        {
            return Problems.Create(403, "two-person-rule", "You filed this evidence; another procurement principal must verify it.");
        }
        if (evidence.VerifiedAt is null)
        {
            evidence.VerifiedAt = time.Now();
            evidence.VerifiedBy = caller.Id;
            await audit.RecordAsync(caller.Actor, "evidence.verify", $"vendor:{vendorId}", new { evidence = evidenceId, evidence.Digest }, ct);
        }
        return TypedResults.Ok(EvidenceView.Of(evidence));
    }

    private static async Task<Results<Created<AcknowledgementView>, ValidationProblem, ProblemHttpResult>> Acknowledge(
        Guid vendorId, AcknowledgeRevocationRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (await ReadableAsync(vendorId, caller, db, ct) is { } denied)
        {
            return denied;
        }
        if (!caller.IsVendor || !caller.Has(Roles.VendorAdmin))
        {
            return Problems.Forbidden("The vendor's vendor-admin acknowledges the revocation procedure.");
        }
        if (string.IsNullOrWhiteSpace(request.Statement) || request.Statement.Trim().Length < 20 || request.Statement.Length > 4000)
        {
            return Problems.Invalid("statement", "Say in 20 to 4,000 characters what the vendor acknowledges.");
        }
        var acknowledgement = new RevocationAcknowledgement { VendorId = vendorId, Statement = request.Statement.Trim(), At = time.Now(), By = caller.Id };
        db.RevocationAcknowledgements.Add(acknowledgement);
        await audit.RecordAsync(caller.Actor, "vendor.revocation-acknowledged", $"vendor:{vendorId}", null, ct);
        return TypedResults.Created($"/v1/vendors/{vendorId}/compliance",
            new AcknowledgementView(acknowledgement.Id, vendorId, acknowledgement.Statement, acknowledgement.At));
    }

    private static async Task<IResult> Report(Guid vendorId, Caller caller, [FromServices] VendorGateDb db, [FromServices] VendorReport reports,
        HttpResponse response, CancellationToken ct)
    {
        if (await ReadableAsync(vendorId, caller, db, ct) is { } denied)
        {
            return denied;
        }
        var made = await reports.MakeAsync(vendorId, ct); // a signer that cannot sign: 503 (ProviderUnavailableHandler)
        if (made is null)
        {
            return Problems.NotFound($"Vendor {vendorId}");
        }
        response.Headers["VendorGate-Report-Digest"] = "sha256:" + made.DigestHex;
        response.Headers.Link = $"</v1/vendors/{vendorId}/reports/{made.DigestHex}/attestation>; rel=\"attestation\"";
        return TypedResults.File(made.Pdf, "application/pdf", made.FileName);
    }

    private static async Task<IResult> StoredReport(Guid vendorId, string digest, Caller caller, [FromServices] VendorGateDb db,
        [FromServices] IBlobStore blobs, CancellationToken ct)
    {
        var (blob, problem) = await StoredAsync(vendorId, digest, VendorReport.PdfBlob, caller, db, blobs, ct);
        return problem ?? (IResult)TypedResults.Stream(await blobs.OpenReadAsync(blob!, cancellationToken: ct), "application/pdf");
    }

    private static async Task<IResult> ReportAttestation(Guid vendorId, string digest, string? format, Caller caller, [FromServices] VendorGateDb db,
        [FromServices] IBlobStore blobs, [FromServices] Attestations.SigningKeyRegistry keys, CancellationToken ct)
    {
        var (blob, problem) = await StoredAsync(vendorId, digest, VendorReport.EnvelopeBlob, caller, db, blobs, ct);
        if ((problem ?? Attestations.AttestationFormat.Check(format)) is { } refused)
        {
            return refused;
        }
        return await Attestations.AttestationFormat.ServeAsync(blobs, blob!, format, keys, ct);
    }

    /// <summary>The blob of a report made earlier (or of its envelope), when the caller may read the vendor's compliance.</summary>
    private static async Task<(string? Blob, ProblemHttpResult? Problem)> StoredAsync(Guid vendorId, string digest, Func<Guid, string, string> blob,
        Caller caller, VendorGateDb db, IBlobStore blobs, CancellationToken ct)
    {
        if (await ReadableAsync(vendorId, caller, db, ct) is { } denied)
        {
            return (null, denied);
        }
        var hex = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[7..] : digest;
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigitLower) || !await blobs.ExistsAsync(blob(vendorId, hex), ct))
        {
            return (null, Problems.NotFound($"Report {digest} of vendor {vendorId}"));
        }
        return (blob(vendorId, hex), null);
    }

    private static async Task<Results<Ok<IReadOnlyList<ComplianceDay>>, ProblemHttpResult>> History(
        Guid vendorId, int? days, Caller caller, [FromServices] VendorGateDb db, [FromServices] ComplianceService compliance, CancellationToken ct) =>
        await ReadableAsync(vendorId, caller, db, ct) is { } denied ? denied
            : TypedResults.Ok(await compliance.HistoryAsync(vendorId, Math.Clamp(days ?? 90, 1, 3650), ct));

    private static async Task<Results<Ok<ComplianceReport>, ProblemHttpResult>> Get(
        Guid vendorId, Caller caller, [FromServices] VendorGateDb db, [FromServices] ComplianceService compliance, CancellationToken ct) =>
        await ReadableAsync(vendorId, caller, db, ct) is { } denied ? denied : TypedResults.Ok(await compliance.AssessAsync(vendorId, ct));
}
