using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Audit;

public static class AuditApi
{
    public sealed record AuditEntryView(long Seq, DateTimeOffset At, string Actor, string Action, string Target,
        System.Text.Json.JsonElement Details, string PrevHash, string Hash);

    public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, long? Next);

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(Policies.ReadAudit);

        group.MapGet("/", async (VendorGateDb db, long? after, int? limit, CancellationToken ct) =>
        {
            var take = Paging.Limit(limit);
            var from = after ?? 0;
            var rows = await db.AuditEntries.AsNoTracking().Where(a => a.Seq > from).OrderBy(a => a.Seq).Take(take + 1).ToListAsync(ct);
            var items = rows.Take(take).Select(a => new AuditEntryView(a.Seq, a.At, a.Actor, a.Action, a.Target,
                System.Text.Json.JsonDocument.Parse(a.Details).RootElement, a.PrevHash, a.Hash)).ToList();
            return TypedResults.Ok(new AuditPage(items, rows.Count > take ? items[^1].Seq : null));
        })
        .WithName("ListAudit").WithSummary("Audit entries after a sequence number (?after=&limit=); page on with `next`.")
        .ProducesProblem(401).ProducesProblem(403);

        group.MapGet("/verify", async Task<Ok<AuditVerification>> (AuditLog audit, CancellationToken ct) =>
            TypedResults.Ok(await audit.VerifyAsync(ct)))
        .WithName("VerifyAudit").WithSummary("Recomputes the hash chain and reports the first missing or altered entry.")
        .ProducesProblem(401).ProducesProblem(403);

        return routes;
    }
}
