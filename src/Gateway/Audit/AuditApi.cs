using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Transparency;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Audit;

public static class AuditApi
{
    public sealed record AuditEntryView(long Seq, DateTimeOffset At, string Actor, string Action, string Target,
        System.Text.Json.JsonElement Details, string PrevHash, string Hash);

    public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, long? Next);

    /// <summary>The chain's verification and, when a checkpoint was given, whether the log still extends it.</summary>
    public sealed record AuditVerificationView(bool Valid, long Entries, string Head, long? FirstInvalidSeq, string? Reason, CheckpointCheck? Checkpoint);

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(Policies.ReadAudit)
            .ProducesProblem(401).ProducesProblem(403);

        group.MapGet("/", async ([FromServices] VendorGateDb db, long? after, int? limit, CancellationToken ct) =>
        {
            var take = Paging.Limit(limit);
            var from = after ?? 0;
            var rows = await db.AuditEntries.AsNoTracking().Where(a => a.Seq > from).OrderBy(a => a.Seq).Take(take + 1).ToListAsync(ct);
            var items = rows.Take(take).Select(a => new AuditEntryView(a.Seq, a.At, a.Actor, a.Action, a.Target,
                System.Text.Json.JsonDocument.Parse(a.Details).RootElement, a.PrevHash, a.Hash)).ToList();
            return TypedResults.Ok(new AuditPage(items, rows.Count > take ? items[^1].Seq : null));
        })
        .WithName("ListAudit").WithSummary("Audit entries after a sequence number (?after=&limit=); page on with `next`.");

        group.MapGet("/verify", Verify).WithName("VerifyAudit")
            .WithSummary("Recomputes the hash chain and reports the first missing or altered entry; with ?checkpoint= (base64url of a checkpoint note this Gateway signed) also whether the log extends it (not truncated, wiped or rewritten), with the consistency proof.")
            .ProducesProblem(400);

        group.MapGet("/checkpoint", Checkpoint).WithName("GetAuditCheckpoint")
            .WithSummary("A signed C2SP checkpoint (signed note: origin, tree size, RFC 9162 root hash) of the whole log, or of its first ?size= entries.")
            .Produces<string>(200, "text/plain").ProducesProblem(404).ProducesProblem(503);

        group.MapGet("/proofs/inclusion", Inclusion).WithName("GetAuditInclusionProof")
            .WithSummary("The RFC 9162 inclusion proof of entry ?seq= in the tree of the first ?size= entries (default: all).")
            .ProducesProblem(400).ProducesProblem(404);

        group.MapGet("/proofs/consistency", Consistency).WithName("GetAuditConsistencyProof")
            .WithSummary("The RFC 9162 consistency proof between the trees of the first ?from= and ?to= entries (default: all).")
            .ProducesProblem(400);

        return routes;
    }

    private static async Task<Results<Ok<AuditVerificationView>, ValidationProblem>> Verify([FromServices] AuditLog audit, [FromServices] AuditTree tree,
        string? checkpoint, CancellationToken ct)
    {
        CheckpointCheck? check = null;
        if (checkpoint is not null)
        {
            Checkpoint parsed;
            IReadOnlyList<Checkpoint.NoteSignature> signatures;
            try
            {
                (parsed, signatures) = Attest.Transparency.Checkpoint.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(checkpoint)));
            }
            catch (FormatException e)
            {
                return Problems.Invalid("checkpoint", $"Give the base64url of a checkpoint note as GET /v1/audit/checkpoint serves it ({e.Message}).");
            }
            check = await tree.CheckAsync(parsed, signatures, ct);
        }
        var chain = await audit.VerifyAsync(ct);
        var (valid, reason) = check is { Consistent: false } ? (false, check.Reason)
            : !chain.Valid ? (false, chain.Reason)
            : chain.Entries == 0 ? (false, "the log is empty, yet a Gateway records its first administrator on its first start: it was wiped")
            : (true, null);
        return TypedResults.Ok(new AuditVerificationView(valid, chain.Entries, chain.Head, chain.FirstInvalidSeq, reason, check));
    }

    private static async Task<IResult> Checkpoint([FromServices] AuditTree tree, long? size, CancellationToken ct)
    {
        var note = await tree.CheckpointAsync(size, null, ct); // a signer that cannot sign: 503 (ProviderUnavailableHandler)
        return note is null
            ? Problems.NotFound($"A tree of {size} entries")
            : TypedResults.Text(note, "text/plain; charset=utf-8");
    }

    private static async Task<Results<Ok<InclusionProofView>, ValidationProblem, ProblemHttpResult>> Inclusion([FromServices] AuditTree tree, long? seq,
        long? size, CancellationToken ct)
    {
        if (seq is null)
        {
            return Problems.Invalid("seq", "Name the entry: ?seq= its sequence number.");
        }
        var (leaves, seqs) = await tree.LeavesAsync(ct);
        var n = size ?? leaves.Count;
        if (n <= 0 || n > leaves.Count)
        {
            return Problems.Invalid("size", $"size is between 1 and the log's {leaves.Count} entries.");
        }
        var index = seqs.BinarySearch(seq.Value);
        if (index < 0 || index >= n)
        {
            return Problems.NotFound($"Entry {seq} in the first {n} entries");
        }
        return TypedResults.Ok(AuditTree.Inclusion(leaves, seq.Value, index, n));
    }

    private static async Task<Results<Ok<ConsistencyProofView>, ValidationProblem>> Consistency([FromServices] AuditTree tree, long? from, long? to,
        CancellationToken ct)
    {
        var (leaves, _) = await tree.LeavesAsync(ct);
        var n = to ?? leaves.Count;
        if (n <= 0 || n > leaves.Count)
        {
            return Problems.Invalid("to", $"to is between 1 and the log's {leaves.Count} entries.");
        }
        if (from is not { } m || m <= 0 || m > n)
        {
            return Problems.Invalid("from", $"from is between 1 and to ({n}).");
        }
        return TypedResults.Ok(AuditTree.Consistency(leaves, m, n));
    }
}
