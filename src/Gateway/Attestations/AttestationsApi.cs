using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Attestations;

public static class AttestationsApi
{
    public static IEndpointRouteBuilder MapAttestations(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/.well-known/vendorgate/keys", async ([FromServices] SigningKeyRegistry keys,
            CancellationToken ct) => TypedResults.Ok(await keys.ToJwksAsync(ct)))
            .AllowAnonymous().WithTags("Attestations").WithName("SigningKeys")
            .WithSummary("JWKS of every key that ever signed, current and retired (nbf: first signature, retired: when a newer key took over).")
            .ProducesProblem(500);
        return routes;
    }

    /// <summary>A batch's <c>/attestation</c>.</summary>
    public static ResourceRoutes MapBatchAttestation(this ResourceRoutes batch)
    {
        batch.One.MapGet("/attestation", BatchAttestation)
            .WithTags("Attestations").WithName("GetBatchAttestation")
            .WithSummary("The batch's DSSE envelope: ?kind=receipt (default, " + ReceiptAttestation.PredicateType + "), ?kind=approval ("
                + Reviews.ApprovalAttestation.PredicateType + "), ?kind=verification-summary (the approval as " + StandardPredicates.VerificationSummary + "), or ?kind=bundle (JSON Lines: every signed envelope of the batch); ?format=" + AttestationFormat.Description)
            .Produces<DsseEnvelopeDocument>(200, "application/json", SigstoreBundle.MediaType)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(404).ProducesProblem(409);
        return batch;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> BatchAttestation(
        Guid batchId, Caller caller, [FromServices] VendorGateDb db, [FromServices] IBlobStore blobs, [FromServices] SigningKeyRegistry keys, string? kind,
        string? format, CancellationToken ct)
    {
        var batch = await BatchesApi.Visible(db, caller).AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, ct);
        if (batch is null)
        {
            return Problems.NotFound("Batch");
        }
        if (AttestationFormat.Check(format) is { } badFormat)
        {
            return badFormat;
        }
        if (kind is "approval")
        {
            return batch.Approval.IsSigned
                ? await AttestationFormat.ServeAsync(blobs, Reviews.ApprovalAttestation.BlobName(batchId), format, keys, ct)
                : Problems.Conflict("attestation-pending", batch.Approval.NotSignedYet("approval", "The batch is not approved."));
        }
        if (kind is "verification-summary")
        {
            return batch.Approval.IsSigned
                ? await AttestationFormat.ServeIfStoredAsync(blobs, Reviews.ApprovalAttestation.SummaryBlobName(batchId), AttestationFormat.CompanionMissing("approval's verification summary"), format, keys, ct)
                : Problems.Conflict("attestation-pending", batch.Approval.NotSignedYet("approval", "The batch is not approved."));
        }
        if (kind is "bundle" && format is "sigstore")
        {
            return Problems.Create(400, "bad-format", "kind=bundle is the in-toto JSON Lines of every envelope; ask for each kind with format=sigstore instead.");
        }
        if (kind is "bundle")
        {
            // The in-toto bundle convention: one envelope per line, receipt then approval (when signed).
            if (!batch.Receipt.IsSigned)
            {
                return Problems.Conflict("attestation-pending", "The receipt is not signed yet.");
            }
            var lines = new List<byte[]> { await blobs.ReadAllBytesAsync(batch.AttestationBlob!, ct) };
            if (batch.Approval.IsSigned)
            {
                lines.Add(await blobs.ReadAllBytesAsync(Reviews.ApprovalAttestation.BlobName(batchId), ct));
            }
            return TypedResults.File(lines.SelectMany(l => l.Append((byte)'\n')).ToArray(), "application/jsonl");
        }
        if (kind is not (null or "receipt"))
        {
            return Problems.Create(400, "bad-kind", "kind is receipt (default), approval, verification-summary or bundle.");
        }
        if (!batch.Receipt.IsSigned)
        {
            return Problems.Conflict("attestation-pending", batch.Receipt.NotSignedYet("receipt", "The batch has no content yet, so nothing to attest."));
        }
        return await AttestationFormat.ServeAsync(blobs, batch.AttestationBlob!, format, keys, ct);
    }

    /// <summary>The DSSE wire format, for the OpenAPI document.</summary>
    public sealed record DsseEnvelopeDocument(string Payload, string PayloadType, IReadOnlyList<DsseSignatureDocument> Signatures);

    /// <summary>One DSSE signature: key id and base64 signature.</summary>
    public sealed record DsseSignatureDocument(string Keyid, string Sig);
}
