using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Identity;

public static class IdentityApi
{
    public static IEndpointRouteBuilder MapIdentity(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/staff", CreateStaff).WithTags("Identity").AddEndpointFilter<ValidationFilter>()
            .RequireAuthorization(Policies.Administer)
            .WithName("CreateStaff").WithSummary("Creates a staff principal with staff roles only (admin).")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);

        routes.MapGet("/v1/me", Me).WithTags("Identity").WithName("GetMe")
            .WithSummary("The principal this key belongs to, with its roles (what a client may offer its user).").ProducesProblem(401);

        var principals = routes.MapGroup("/v1/principals/{principalId:guid}").WithTags("Identity")
            .AddEndpointFilter<ValidationFilter>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        principals.MapGet("/", GetPrincipal).RequireAuthorization(Policies.ReadDirectory).WithName("GetPrincipal").WithSummary("One principal.");
        principals.MapPost("/keys", CreateKey)
            .WithName("CreateKey").WithSummary("Issues an API key; the token is shown only in this response (admin; vendor-admin for its vendor).")
            .ProducesValidationProblem();
        principals.MapGet("/keys", ListKeys).WithName("ListKeys").WithSummary("The principal's keys, without secrets.");
        principals.MapDelete("/keys/{keyId}", RevokeKey).WithName("RevokeKey").WithSummary("Revokes a key at once.");
        principals.MapPost("/deactivation", Deactivate).RequireAuthorization(Policies.Administer).WithName("DeactivateStaff")
            .WithSummary("Deactivates a staff member (admin): every key stops at once; never the last active admin (409 last-admin). Vendor principals are revoked by security.")
            .ProducesValidationProblem().ProducesProblem(409);
        return routes;
    }

    /// <summary>A staff member: the name as given (NFC, visible characters, spaces between words) and a handle made
    /// from it; both are unique among staff, so two people never look alike in a review or the audit log.</summary>
    private static async Task<Results<Created<PrincipalView>, ProblemHttpResult>> CreateStaff(
        CreateStaffRequest request, Caller caller, VendorGateDb db, AuditLog audit, CancellationToken ct)
    {
        var name = Names.Clean(request.Name)!;
        var handle = Names.HandleOf(name) ?? "staff-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..10];
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await audit.LockAsync(ct);
        var taken = await db.Principals.AsNoTracking().Where(p => p.Kind == PrincipalKinds.Staff)
            .AnyAsync(p => p.Handle == handle || p.DisplayName == name, ct);
        if (taken)
        {
            return Problems.Conflict("name-taken", $"A staff member named '{name}' (handle '{handle}') exists already; staff names are unique.");
        }
        var principal = new Principal
        {
            Kind = PrincipalKinds.Staff, Handle = handle, DisplayName = name, Roles = string.Join(' ', request.Roles.Distinct().Order()), CreatedAt = Clock.Now(),
        };
        db.Principals.Add(principal);
        await audit.RecordAsync(caller.Actor, "staff.create", $"principal:{principal.Id}", new { principal.Handle, name, principal.Roles }, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/v1/principals/{principal.Id}", PrincipalView.Of(principal));
    }

    private static async Task<Results<Ok<PrincipalView>, ProblemHttpResult>> Me(Caller caller, VendorGateDb db, CancellationToken ct) =>
        await db.Principals.AsNoTracking().FirstOrDefaultAsync(p => p.Id == caller.Id, ct) is { } principal
            ? TypedResults.Ok(PrincipalView.Of(principal))
            : Problems.NotFound("Principal");

    private static async Task<Results<Ok<PrincipalView>, ProblemHttpResult>> GetPrincipal(Guid principalId, Caller caller, VendorGateDb db, CancellationToken ct)
    {
        var principal = await db.Principals.AsNoTracking().FirstOrDefaultAsync(p => p.Id == principalId, ct);
        return principal is null || caller.IsVendor && principal.VendorId != caller.VendorId
            ? Problems.NotFound("Principal")
            : TypedResults.Ok(PrincipalView.Of(principal));
    }

    private static async Task<Results<Created<CreatedKey>, ProblemHttpResult>> CreateKey(
        Guid principalId, CreateKeyRequest request, Caller caller, VendorGateDb db, AuditLog audit, CancellationToken ct)
    {
        var (principal, problem) = await FindManagedAsync(principalId, caller, db, ct);
        if (principal is null)
        {
            return problem!;
        }
        if (principal.RevokedAt is not null)
        {
            return Problems.Conflict("principal-revoked", "The principal is revoked; it cannot get new keys.");
        }
        var (keyId, token, hash) = ApiKeyToken.Generate();
        db.ApiKeys.Add(new ApiKey { Id = keyId, PrincipalId = principal.Id, SecretHash = hash, CreatedAt = Clock.Now(), ExpiresAt = request.ExpiresAt });
        await audit.RecordAsync(caller.Actor, "key.create", $"principal:{principal.Id}", new { keyId, request.ExpiresAt }, ct);
        return TypedResults.Created($"/v1/principals/{principal.Id}/keys", new CreatedKey(keyId, token, request.ExpiresAt));
    }

    private static async Task<Results<Ok<List<KeyView>>, ProblemHttpResult>> ListKeys(Guid principalId, Caller caller, VendorGateDb db, CancellationToken ct)
    {
        if (caller.Id != principalId && (await FindManagedAsync(principalId, caller, db, ct)).Problem is { } problem)
        {
            return problem;
        }
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.PrincipalId == principalId).ToListAsync(ct);
        return TypedResults.Ok(keys.OrderBy(k => k.CreatedAt).Select(KeyView.Of).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        Guid principalId, string keyId, Caller caller, VendorGateDb db, AuditLog audit, CancellationToken ct)
    {
        if ((await FindManagedAsync(principalId, caller, db, ct)).Problem is { } problem)
        {
            return problem;
        }
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.PrincipalId == principalId, ct);
        if (key is null)
        {
            return Problems.NotFound("Key");
        }
        if (key.RevokedAt is null)
        {
            key.RevokedAt = Clock.Now();
            await audit.RecordAsync(caller.Actor, "key.revoke", $"principal:{principalId}", new { keyId }, ct);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PrincipalView>, ProblemHttpResult>> Deactivate(
        Guid principalId, DeactivateRequest request, Caller caller, VendorGateDb db, AuditLog audit, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await audit.LockAsync(ct); // two admins deactivating each other cannot both succeed
        var principal = await db.Principals.FirstOrDefaultAsync(p => p.Id == principalId, ct);
        if (principal is null)
        {
            return Problems.NotFound("Principal");
        }
        if (principal.Kind != PrincipalKinds.Staff)
        {
            return Problems.Conflict("not-staff", "Vendor principals are revoked by security (POST /v1/revocations), which also removes their contributions.");
        }
        if (principal.RevokedAt is null)
        {
            var admins = await db.Principals.Where(p => p.Kind == PrincipalKinds.Staff && p.RevokedAt == null).Select(p => new { p.Id, p.Roles }).ToListAsync(ct);
            if (principal.RoleList.Contains(Roles.Admin) && admins.Count(a => a.Id != principalId && a.Roles.Split(' ').Contains(Roles.Admin)) == 0)
            {
                return Problems.Conflict("last-admin", "This is the last active admin; make another admin first.");
            }
            principal.RevokedAt = Clock.Now();
            await audit.RecordAsync(caller.Actor, "principal.deactivate", $"principal:{principalId}", new { reason = request.Reason.Trim() }, ct);
            await tx.CommitAsync(ct);
        }
        return TypedResults.Ok(PrincipalView.Of(principal));
    }

    /// <summary>Admins manage every principal's keys; a vendor-admin those of its own vendor. Other vendors' principals are 404.</summary>
    private static async Task<(Principal? Principal, ProblemHttpResult? Problem)> FindManagedAsync(Guid principalId, Caller caller, VendorGateDb db, CancellationToken ct)
    {
        var principal = await db.Principals.AsNoTracking().FirstOrDefaultAsync(p => p.Id == principalId, ct);
        if (principal is null || caller.IsVendor && principal.VendorId != caller.VendorId)
        {
            return (null, Problems.NotFound("Principal"));
        }
        if (caller.Has(Roles.Admin) || caller.Has(Roles.VendorAdmin))
        {
            return (principal, null);
        }
        return (null, Problems.Forbidden("Only an admin, or a vendor-admin of the principal's vendor, manages its keys."));
    }
}
