using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Reviews;

/// <summary>The counter-signature of an approved batch, signed by <see cref="AttestJob"/>: a statement (subject: the
/// batch digest; predicate <see cref="PredicateType"/>) naming the submitter, the reasons and licence, the scan findings,
/// every override and every review with reviewer and time, and the receipt it builds on.</summary>
public sealed class ApprovalAttestation(VendorGateDb db) : IAttestationKind
{
    public const string PredicateType = "https://vendorgate.dev/attestations/batch-approval/v1";

    public static string BlobName(Guid batchId) => $"attestations/batches/{batchId}/approval.dsse.json";

    /// <summary>Its companion: the approval as an SLSA Verification Summary (<see cref="Summary"/>).</summary>
    public static string SummaryBlobName(Guid batchId) => $"attestations/batches/{batchId}/approval.vsa.dsse.json";

    /// <summary>The policy a Verification Summary of an approval names: scanned, every blocking finding overridden by
    /// security, approved by people other than the submitter and its vendor (two for a sensitive domain).</summary>
    public const string ApprovalPolicy = "https://vendorgate.dev/policies/batch-approval/v1";

    /// <summary>The name its jobs carry.</summary>
    public const string Kind = "approval";

    public string Name => Kind;

    public async Task<AttestationWork?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var batchId = Guid.Parse(id);
        var batch = await db.Batches.Include(b => b.Findings).Include(b => b.Reviews).Include(b => b.Overrides)
            .FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        return batch is null ? null : new AttestationWork(batch.Approval, BlobName(batchId), "batch.approval-attest", $"batch:{batchId}",
            async key => (await BuildStatementAsync(batch, key.Kid, cancellationToken)).ToCanonicalJson())
        {
            Companions = [new CompanionStatement(SummaryBlobName(batchId), _ => Task.FromResult(Summary(batch).ToCanonicalJson()))],
        };
    }

    /// <summary>The approval as an SLSA Verification Summary v1: the Gateway verified the batch against
    /// <see cref="ApprovalPolicy"/>, reading its receipt, and it passed (scanned, reviewed).</summary>
    public static Statement Summary(Batch batch)
    {
        var approvedAt = batch.Reviews.Where(r => r.Decision == "approve").Max(r => r.At);
        var receipt = StandardPredicates.Resource("receipt", $"vendorgate:batch:{batch.Id}/attestation?kind=receipt", StandardPredicates.Hex(batch.Receipt.Digest));
        var levels = batch.Overrides.Count == 0 ? new[] { "VENDORGATE_SCANNED_V1", "VENDORGATE_REVIEWED_V1" }
            : ["VENDORGATE_SCANNED_V1", "VENDORGATE_OVERRIDDEN_V1", "VENDORGATE_REVIEWED_V1"];
        var predicate = StandardPredicates.Summary($"vendorgate:batch:{batch.Id}", ApprovalPolicy, approvedAt, [receipt], passed: true, levels);
        return new Statement([new Subject($"batch:{batch.Id}", batch.Digest!["sha256:".Length..])], StandardPredicates.VerificationSummary, predicate);
    }

    private async Task<Statement> BuildStatementAsync(Batch batch, string keyId, CancellationToken cancellationToken)
    {
        var submitter = await db.Principals.AsNoTracking().FirstAsync(p => p.Id == batch.SubmitterId, cancellationToken);
        var predicate = new JsonObject
        {
            ["batchId"] = batch.Id.ToString(),
            ["vendorId"] = batch.VendorId?.ToString(),
            ["submitter"] = new JsonObject { ["id"] = submitter.Id.ToString(), ["handle"] = submitter.Handle },
            ["justification"] = batch.Justification,
            ["license"] = batch.License,
            ["source"] = batch.Source,
            ["count"] = batch.Count,
            ["receipt"] = new JsonObject { ["digest"] = batch.Receipt.Digest },
            ["scan"] = new JsonObject
            {
                ["scannedAt"] = Clock.Timestamp(batch.ScannedAt!.Value),
                ["findings"] = new JsonArray(batch.Findings.OrderBy(f => f.Code).Select(f => (JsonNode)new JsonObject
                {
                    ["code"] = f.Code, ["severity"] = f.Severity,
                }).ToArray()),
            },
            ["overrides"] = new JsonArray(batch.Overrides.OrderBy(o => o.At).Select(o => (JsonNode)new JsonObject
            {
                ["by"] = new JsonObject { ["id"] = o.SecurityId.ToString(), ["handle"] = o.SecurityHandle },
                ["findingCodes"] = new JsonArray(o.FindingCodes.Split(' ').Select(c => (JsonNode)c).ToArray()),
                ["justification"] = o.Justification,
                ["at"] = Clock.Timestamp(o.At),
            }).ToArray()),
            ["reviews"] = new JsonArray(batch.Reviews.OrderBy(r => r.At).Select(r => (JsonNode)new JsonObject
            {
                ["reviewer"] = Reviewer(r),
                ["decision"] = r.Decision,
                ["comment"] = r.Comment,
                ["at"] = Clock.Timestamp(r.At),
            }).ToArray()),
            ["gateway"] = new JsonObject { ["keyId"] = keyId },
        };
        return new Statement([new Subject($"batch:{batch.Id}", batch.Digest!["sha256:".Length..])], PredicateType, predicate);
    }

    /// <summary>Who reviewed, and with which credential: a key's origin, or the OpenID provider and subject of a sign-in.</summary>
    private static JsonObject Reviewer(Review r)
    {
        var reviewer = new JsonObject { ["id"] = r.ReviewerId.ToString(), ["handle"] = r.ReviewerHandle, ["credential"] = r.Credential };
        if (r.CredentialIssuer is not null)
        {
            reviewer["oidc"] = new JsonObject { ["issuer"] = r.CredentialIssuer, ["subject"] = r.CredentialSubject };
        }
        return reviewer;
    }
}
