using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using PdfSharp.Drawing;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Compliance;

/// <summary>The attestation report procurement hands to auditors: a PDF of the vendor's compliance, roster, batches,
/// revocations and signing keys, stored under its SHA-256 and signed in an in-toto statement beside it, so that
/// <c>vendorgate-verify file report.pdf envelope.json --keys jwks.json</c> proves it is the report the Gateway made.</summary>
public sealed class VendorReport(VendorGateDb db, IBlobStore blobs, ComplianceService compliance, Attestor attestor, TimeProvider time)
{
    public const string PredicateType = "https://vendorgate.dev/attestations/vendor-report/v1";

    public sealed record Made(byte[] Pdf, string DigestHex, string FileName);

    public static string PdfBlob(Guid vendorId, string hex) => $"reports/{vendorId}/{hex}.pdf";

    public static string EnvelopeBlob(Guid vendorId, string hex) => $"reports/{vendorId}/{hex}.dsse.json";

    public async Task<Made?> MakeAsync(Guid vendorId, CancellationToken ct)
    {
        var vendor = await db.Vendors.AsNoTracking().FirstOrDefaultAsync(v => v.Id == vendorId, ct);
        if (vendor is null)
        {
            return null;
        }
        var now = time.Now();
        var from = now.AddDays(-compliance.Options.AttributionWindowDays);
        var assessment = await compliance.AssessAsync(vendorId, ct);
        var roster = (await db.Principals.AsNoTracking().Where(p => p.VendorId == vendorId).ToListAsync(ct)).OrderBy(p => p.Handle, StringComparer.Ordinal).ToList();
        var handles = roster.ToDictionary(p => p.Id, p => p.Handle);
        var batches = (await db.Batches.AsNoTracking().Where(b => b.VendorId == vendorId && b.Status != BatchStatus.Open).ToListAsync(ct))
            .Where(b => b.CreatedAt >= from).OrderBy(b => b.Id).ToList();
        var rosterIds = roster.Select(p => p.Id).ToList();
        var vendorBatchIds = db.Batches.Where(b => b.VendorId == vendorId).Select(b => b.Id);
        var revocations = (await db.Set<Revocations.Revocation>().AsNoTracking()
            .Where(r => (r.AnnotatorId != null && rosterIds.Contains(r.AnnotatorId.Value)) || (r.BatchId != null && vendorBatchIds.Contains(r.BatchId.Value)))
            .ToListAsync(ct)).OrderBy(r => r.Id).ToList();
        var exceptions = (await db.ComplianceExceptions.AsNoTracking().Where(e => e.VendorId == vendorId).ToListAsync(ct)).OrderBy(e => e.Id).ToList();
        var reviews = (await db.RevocationReviews.AsNoTracking().Where(r => r.VendorId == vendorId).ToListAsync(ct)).OrderBy(r => r.Id).ToList();
        var grantors = exceptions.Select(e => e.GrantedBy).Concat(reviews.Select(r => r.By)).Distinct().ToList();
        var staff = await db.Principals.AsNoTracking().Where(p => grantors.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.DisplayName ?? p.Handle, ct);
        var keys = (await db.VendorSigningKeys.AsNoTracking().Where(k => k.VendorId == vendorId).ToListAsync(ct)).OrderBy(k => k.CreatedAt).ToList();
        var counts = new
        {
            accepted = batches.Count(b => BatchStatus.Accepted.Contains(b.Status)),
            rejected = batches.Count(b => b.Status == BatchStatus.Rejected),
            revoked = batches.Count(b => b.Status == BatchStatus.Revoked),
            pending = batches.Count(b => BatchStatus.Pending.Contains(b.Status)),
        };

        ReportFonts.Install();
        var pdf = new ReportDocument($"VendorGate attestation report: {vendor.Name}", $"{vendor.Name} · {now:yyyy-MM-dd HH:mm} UTC");
        pdf.Title("VendorGate attestation report");
        pdf.Paragraph($"Vendor: {vendor.Name} ({vendor.Jurisdiction}, {vendor.ContactEmail}), id {vendor.Id}", bold: true);
        pdf.Paragraph($"Status: {assessment.Status}", StatusBrush(assessment.Status), bold: true);
        pdf.Paragraph($"Assessed {now:yyyy-MM-dd HH:mm} UTC; period {from:yyyy-MM-dd} to {now:yyyy-MM-dd}. The SHA-256 of this file is signed by the "
            + "Gateway in an in-toto statement served beside it (GET /v1/vendors/{id}/reports/{sha256}/attestation); verify it with vendorgate-verify file.");

        pdf.Heading("Requirements");
        pdf.Table(["Requirement", "Met", "Detail", "Evidence (SHA-256)"], [3, 1.6, 3.4, 4], assessment.Requirements.Select(r => new[]
        {
            r.Title, r.Met ? (r.Warning ? "met (warning)" : "met") : "NOT MET", r.Detail,
            string.Join("\n", r.Evidence.Select(e => $"{e.Kind}: {e.Digest}")),
        }));

        pdf.Paragraph(assessment.Permitted
            ? assessment.Exception is { } ex
                ? $"Uploads: permitted by an exception until {ex.ExpiresAt:yyyy-MM-dd HH:mm} UTC, granted by {staff.GetValueOrDefault(ex.GrantedBy, ex.GrantedBy.ToString())}: {ex.Reason}"
                : "Uploads: permitted by the policy."
            : "Uploads: refused (the policy does not permit this vendor and no exception is in force).", bold: true);

        pdf.Heading("Exceptions");
        if (exceptions.Count == 0)
        {
            pdf.Paragraph("None granted.");
        }
        else
        {
            pdf.Table(["Granted", "By", "Reason", "Expires", "In force"], [2, 3, 5, 2, 1.5], exceptions.Select(e => new[]
            {
                $"{e.GrantedAt:yyyy-MM-dd}", staff.GetValueOrDefault(e.GrantedBy, e.GrantedBy.ToString()), e.Reason, $"{e.ExpiresAt:yyyy-MM-dd HH:mm}",
                e.ExpiresAt > now ? "yes" : "no",
            }));
        }

        pdf.Heading("Annotator roster");
        pdf.Table(["Handle", "Name", "Role", "Status", "Since"], [3, 3, 2, 2, 2], roster.Select(p => new[]
        {
            p.Handle, p.DisplayName ?? "(no name)", string.Join(' ', p.Roles), p.RevokedAt is { } at ? $"revoked {at:yyyy-MM-dd}" : "active", $"{p.CreatedAt:yyyy-MM-dd}",
        }));

        pdf.Heading("Batches in the period");
        pdf.Paragraph($"{batches.Count} batch(es): {counts.accepted} accepted, {counts.rejected} rejected, {counts.revoked} revoked, {counts.pending} pending.");
        pdf.Table(["Batch", "Submitted by", "Received", "Examples", "Status"], [6, 3, 2, 1.5, 1.5], batches.Select(b => new[]
        {
            b.Id.ToString(), handles.GetValueOrDefault(b.SubmitterId, b.SubmitterId.ToString()), $"{b.ReceivedAt ?? b.CreatedAt:yyyy-MM-dd}",
            $"{b.Count ?? 0:N0}", b.Status,
        }));

        pdf.Heading("Revocations");
        if (revocations.Count == 0)
        {
            pdf.Paragraph("None.");
        }
        else
        {
            pdf.Table(["Revocation", "Of", "Reason", "Status", "Requested"], [5.5, 3, 3.5, 2, 2], revocations.Select(r => new[]
            {
                r.Id.ToString(), r.AnnotatorId is { } a ? $"annotator {handles.GetValueOrDefault(a, a.ToString())}" : $"batch {r.BatchId}", r.Reason,
                r.Status + (r.NewSnapshot is { } s ? $" → {s}" : ""), $"{r.RequestedAt:yyyy-MM-dd}",
            }));
        }

        if (reviews.Count > 0)
        {
            pdf.Paragraph("Reviewed by procurement: " + string.Join("; ",
                reviews.Select(r => $"{r.At:yyyy-MM-dd} by {staff.GetValueOrDefault(r.By, r.By.ToString())}: {r.Note}")));
        }
        if (assessment.UnreviewedRevocations > 0)
        {
            pdf.Paragraph($"{assessment.UnreviewedRevocations} revocation(s) not yet reviewed by procurement: the vendor is at risk until they are.", XBrushes.DarkOrange);
        }

        pdf.Heading("Signing keys");
        if (keys.Count == 0)
        {
            pdf.Paragraph("No vendor signing key registered.");
        }
        else
        {
            pdf.Table(["Vendor key id (RFC 7638 thumbprint)", "Registered", "Status"], [6, 2, 2], keys.Select(k => new[]
            {
                k.Kid, $"{k.CreatedAt:yyyy-MM-dd}", k.RevokedAt is { } at ? $"revoked {at:yyyy-MM-dd}" : "active",
            }));
        }
        var bytes = pdf.ToPdf();
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));

        await blobs.WriteOnceAsync(PdfBlob(vendorId, hex), bytes, ct);
        var predicate = new JsonObject
        {
            ["vendor"] = new JsonObject { ["id"] = vendor.Id.ToString(), ["name"] = vendor.Name },
            ["status"] = assessment.Status,
            ["permitted"] = assessment.Permitted,
            ["exception"] = assessment.Exception is { } inForce
                ? new JsonObject { ["id"] = inForce.Id.ToString(), ["reason"] = inForce.Reason, ["expiresAt"] = inForce.ExpiresAt.UtcDateTime.ToString("O") }
                : null,
            ["generatedAt"] = now.ToString("O"),
            ["period"] = new JsonObject { ["from"] = from.ToString("O"), ["to"] = now.ToString("O") },
            ["requirements"] = new JsonArray(assessment.Requirements.Select(r => (JsonNode)new JsonObject
            {
                ["id"] = r.Id, ["met"] = r.Met,
                ["evidence"] = new JsonArray(r.Evidence.Select(e => (JsonNode)e.Digest).ToArray()),
            }).ToArray()),
            ["batches"] = new JsonObject { ["accepted"] = counts.accepted, ["rejected"] = counts.rejected, ["revoked"] = counts.revoked, ["pending"] = counts.pending },
        };
        var statement = new Statement([new Subject($"report:{vendor.Id}", hex)], PredicateType, predicate);
        await attestor.SignAsync(EnvelopeBlob(vendorId, hex), _ => Task.FromResult(statement.ToCanonicalJson()), cancellationToken: ct);
        return new Made(bytes, hex, $"vendorgate-{Slug(vendor.Name)}-{now:yyyyMMdd}.pdf");
    }

    private static XBrush StatusBrush(string status) => status switch
    {
        ComplianceStatus.Compliant => XBrushes.DarkGreen,
        ComplianceStatus.AtRisk => XBrushes.DarkOrange,
        ComplianceStatus.NonCompliant => XBrushes.DarkRed,
        _ => XBrushes.DimGray,
    };

    private static string Slug(string name) => new(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
}
