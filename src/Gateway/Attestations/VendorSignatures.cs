using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Attestations;

/// <param name="Digest">The batch digest the vendor computed (<c>vendorgate-verify digest</c> prints it).</param>
/// <param name="Count">The number of examples.</param>
public sealed record PrepareStatementRequest(string Digest, long Count);

public sealed class PrepareStatementValidator : AbstractValidator<PrepareStatementRequest>
{
    public PrepareStatementValidator()
    {
        RuleFor(r => r.Digest).Must(d => BatchDigest.TryParse(d, out _) && d.StartsWith("sha256:", StringComparison.Ordinal))
            .WithMessage("digest is sha256:<64 hex digits>.");
        RuleFor(r => r.Count).GreaterThan(0);
    }
}

/// <summary>The exact statement a vendor signs: sign PAE(payloadType, base64-decoded payload), send the signature
/// with the upload as <c>VendorGate-Signature: keyid="…", sig="&lt;base64&gt;"</c>.</summary>
public sealed record PreparedStatement(string PayloadType, string Payload, string Pae, JsonNode Statement, DateTimeOffset ExpiresAt);

/// <summary>
/// Vendor co-signatures. Every DSSE signature covers the same payload, but the receipt statement holds facts a vendor
/// cannot know before uploading (when the Gateway received it, which Gateway key signs). So the vendor first asks for
/// the statement of the content it is about to send (digest and count it computed itself): the Gateway fixes
/// <c>receivedAt</c> and pins its key, stores the exact bytes and returns them; the vendor signs them and uploads with
/// the signature, which is checked before the body is read; the content must then hash to the prepared digest.
/// </summary>
public static class VendorSignatures
{
    public const string Header = Headers.VendorSignature;
    public static readonly TimeSpan Validity = TimeSpan.FromDays(1);

    /// <summary>A batch's <c>/statement</c>.</summary>
    public static ResourceRoutes MapVendorStatements(this ResourceRoutes batch)
    {
        batch.One.MapPost("/statement", Prepare).RequireAuthorization(Policies.Upload)
            .AddEndpointFilter<ValidationFilter>().WithTags("Attestations").WithName("PrepareReceiptStatement")
            .WithSummary("Prepares the receipt statement of the content about to be uploaded, for the vendor to co-sign (submitter, batch open).")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return batch;
    }

    private static async Task<Results<Ok<PreparedStatement>, ValidationProblem, ProblemHttpResult>> Prepare(
        Guid batchId, PrepareStatementRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] ReceiptAttestation receipts,
        [FromServices] VendorGate.Attest.Signing.ISigner signer, [FromServices] SigningKeyRegistry keys, [FromServices] AuditLog audit,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        var batch = await BatchesApi.Visible(db, caller).FirstOrDefaultAsync(b => b.Id == batchId, ct);
        if (batch is null)
        {
            return Problems.NotFound("Batch");
        }
        if (batch.SubmitterId != caller.Id || batch.VendorId is null)
        {
            return Problems.Forbidden("Only the vendor principal who submits the batch prepares its statement.");
        }
        if (batch.Status != BatchStatus.Open)
        {
            return Problems.Conflict("batch-not-open", $"The batch is '{batch.Status}'; statements are prepared before the upload.");
        }
        var key = await signer.GetCurrentKeyAsync(ct);
        await keys.RecordAsync(key, ct);
        var now = time.Now();
        var statement = await receipts.BuildStatementAsync(batch, request.Digest.ToLowerInvariant(), request.Count, now, key.Kid, ct);
        var payload = statement.ToCanonicalJson();
        batch.PreparedStatement = Encoding.UTF8.GetString(payload);
        batch.PreparedKeyId = key.Kid;
        batch.PreparedAt = now;
        await audit.RecordAsync(caller.Actor, "batch.prepare-statement", $"batch:{batchId}", new { request.Digest, request.Count, gatewayKey = key.Kid }, ct);
        return TypedResults.Ok(new PreparedStatement(Envelope.InTotoPayloadType, Convert.ToBase64String(payload),
            Convert.ToBase64String(Pae.Encode(Envelope.InTotoPayloadType, payload)), JsonNode.Parse(payload)!, now + Validity));
    }

    /// <summary>Checks an upload's vendor signature before its body is read. Null when there is none.</summary>
    public static async Task<(ProblemHttpResult? Problem, string? KeyId, byte[]? Signature)> CheckAsync(
        Batch batch, string header, VendorGateDb db, DateTimeOffset now, CancellationToken ct)
    {
        var parameters = header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim('"'));
        if (!parameters.TryGetValue("keyid", out var keyId) || !parameters.TryGetValue("sig", out var sig))
        {
            return (Problems.Create(400, "vendor-signature-invalid", $"{Header} is keyid=\"…\", sig=\"<base64>\"."), null, null);
        }
        if (batch.PreparedStatement is null || batch.PreparedAt is null)
        {
            return (Problems.Create(400, "statement-not-prepared", "Prepare the statement first: POST /v1/batches/{id}/statement."), null, null);
        }
        if (now - batch.PreparedAt > Validity)
        {
            return (Problems.Conflict("statement-expired", "The prepared statement has expired; prepare a new one."), null, null);
        }
        var key = await db.VendorSigningKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.Kid == keyId && k.VendorId == batch.VendorId && k.RevokedAt == null, ct);
        if (key is null)
        {
            return (Problems.Create(400, "vendor-key-unknown", $"Key '{keyId}' is not a registered signing key of this vendor."), null, null);
        }
        byte[] signature;
        try
        {
            signature = Envelope.DecodeBase64(sig, "sig");
        }
        catch (FormatException)
        {
            return (Problems.Create(400, "vendor-signature-invalid", "The signature is not base64."), null, null);
        }
        var pae = Pae.Encode(Envelope.InTotoPayloadType, Encoding.UTF8.GetBytes(batch.PreparedStatement));
        return JsonSerializer.Deserialize<Jwk>(key.Jwk)!.Verify(pae, signature)
            ? (null, keyId, signature)
            : (Problems.Create(400, "vendor-signature-invalid", "The vendor signature does not verify over the prepared statement; nothing was read and the batch is still open."), null, null);
    }

    /// <summary>After the upload: the content must be what the signed statement names.</summary>
    public static bool Matches(Batch batch, string digest, long count)
    {
        var statement = Statement.Parse(Encoding.UTF8.GetBytes(batch.PreparedStatement!));
        return "sha256:" + statement.Subjects[0].Sha256 == digest && statement.Predicate["count"]?.GetValue<long>() == count;
    }
}
