using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
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

        routes.MapGet("/v1/staff", ListStaff).WithTags("Identity").RequireAuthorization(Policies.ReadStaff)
            .WithName("ListStaff").WithSummary("Staff principals (people and service principals) in creation order; page with ?cursor=.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);

        routes.MapGet("/v1/me", Me).WithTags("Identity").WithName("GetMe")
            .WithSummary("The principal this key or OpenID Connect token belongs to, with the roles it acts with (what a client may offer its user).").ProducesProblem(401);

        var principals = routes.MapGroup("/v1/principals/{principalId:guid}").WithTags("Identity")
            .AddEndpointFilter<ValidationFilter>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        principals.MapGet("/", GetPrincipal).RequireAuthorization(Policies.ReadDirectory).WithName("GetPrincipal").WithSummary("One principal.");
        principals.MapPost("/keys", CreateKey)
            .WithName("CreateKey").WithSummary("Mints an API key for the caller itself, or (admin) for a service principal; the token is shown only in this response. People get their first key by redeeming an invitation.")
            .ProducesValidationProblem().ProducesProblem(409);
        principals.MapPost("/invitations", Invite).RequireAuthorization(Policies.Invite)
            .WithName("CreateInvitation").WithSummary("A one-time enrolment invitation (admin; vendor-admin for its vendor's annotators), shown once; the person redeems it for their own first key.")
            .ProducesValidationProblem().ProducesProblem(409);
        routes.MapPost("/v1/invitations/redeem", Redeem).WithTags("Identity").AddEndpointFilter<ValidationFilter>().AllowAnonymous()
            .WithName("RedeemInvitation").WithSummary("Redeems an enrolment invitation (no other credential) for the principal's own first API key, shown once.")
            .ProducesValidationProblem().ProducesProblem(401);
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
        CreateStaffRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] TimeProvider time,
        CancellationToken ct)
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
        var oidc = request.Oidc;
        var subject = string.IsNullOrWhiteSpace(oidc?.Subject) ? null : oidc.Subject;
        var email = string.IsNullOrWhiteSpace(oidc?.Email) ? null : Principal.NormalizeEmail(oidc.Email);
        if (oidc is not null && await db.Principals.AsNoTracking().AnyAsync(p => p.OidcIssuer == oidc.Issuer
                && (subject != null && p.OidcSubject == subject || email != null && p.OidcEmail == email), ct))
        {
            return Problems.Conflict("oidc-taken", "That person at that provider is registered already: one sign-in is one principal.");
        }
        var principal = new Principal
        {
            Kind = PrincipalKinds.Staff, Handle = handle, DisplayName = name, Roles = [.. request.Roles.Distinct().Order()], CreatedAt = time.Now(),
            Service = request.Service == true, OidcIssuer = oidc?.Issuer, OidcSubject = subject, OidcEmail = email,
        };
        db.Principals.Add(principal);
        await audit.RecordAsync(caller.Actor, "staff.create", $"principal:{principal.Id}", new { principal.Handle, name, Roles = string.Join(' ', principal.Roles), oidc = oidc is null ? null : new { oidc.Issuer, subject, email } }, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/v1/principals/{principal.Id}", PrincipalView.Of(principal));
    }

    private static async Task<Results<Ok<Page<PrincipalView>>, ValidationProblem>> ListStaff([FromServices] VendorGateDb db, int? limit, string? cursor,
        CancellationToken ct)
    {
        var query = db.Principals.AsNoTracking().Where(p => p.Kind == PrincipalKinds.Staff);
        return await Paging.ByIdAsync(query, p => p.Id, newestFirst: false, cursor, limit, ct) is { } page
            ? TypedResults.Ok(page.Select(PrincipalView.Of))
            : Paging.BadCursor();
    }

    private static async Task<Results<Ok<PrincipalView>, ProblemHttpResult>> Me(Caller caller, [FromServices] VendorGateDb db, CancellationToken ct) =>
        await db.Principals.AsNoTracking().FirstOrDefaultAsync(p => p.Id == caller.Id, ct) is { } principal
            ? TypedResults.Ok(PrincipalView.Of(principal) with { Roles = [.. caller.Roles.Order()] }) // as this credential acts
            : Problems.NotFound("Principal");

    private static async Task<Results<Ok<PrincipalView>, ProblemHttpResult>> GetPrincipal(Guid principalId, Caller caller, [FromServices] VendorGateDb db,
        CancellationToken ct)
    {
        var principal = await db.Principals.AsNoTracking().FirstOrDefaultAsync(p => p.Id == principalId, ct);
        return principal is null || caller.IsVendor && principal.VendorId != caller.VendorId
            ? Problems.NotFound("Principal")
            : TypedResults.Ok(PrincipalView.Of(principal));
    }

    /// <summary>Only the owner holds a credential: a principal mints further keys for itself; an admin mints keys only
    /// for service principals. Anyone else is told to send an invitation.</summary>
    private static async Task<Results<Created<CreatedKey>, ProblemHttpResult>> CreateKey(
        Guid principalId, CreateKeyRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        var principal = await db.Principals.AsNoTracking().FirstOrDefaultAsync(p => p.Id == principalId, ct);
        if (principal is null || caller.IsVendor && principal.VendorId != caller.VendorId)
        {
            return Problems.NotFound("Principal");
        }
        var origin = principal.Id == caller.Id ? KeyOrigins.Self : principal.Service && caller.Has(Roles.Admin) ? KeyOrigins.Service : null;
        if (origin is null)
        {
            return Problems.Create(403, "owner-only",
                "A key is minted by its owner: send them an enrolment invitation (POST /v1/principals/{id}/invitations) and they mint their own.");
        }
        if (principal.RevokedAt is not null)
        {
            return Problems.Conflict("principal-revoked", "The principal is revoked; it cannot get new keys.");
        }
        var (keyId, token, hash) = ApiKeyToken.Generate();
        db.ApiKeys.Add(new ApiKey
        {
            Id = keyId, PrincipalId = principal.Id, SecretHash = hash, CreatedAt = time.Now(), ExpiresAt = request.ExpiresAt, Origin = origin, MintedBy = caller.Id,
        });
        await audit.RecordAsync(caller.Actor, "key.create", $"principal:{principal.Id}", new { keyId, request.ExpiresAt, origin }, ct);
        return TypedResults.Created($"/v1/principals/{principal.Id}/keys", new CreatedKey(keyId, token, request.ExpiresAt));
    }

    /// <summary>Admins invite anyone; a vendor-admin invites its own vendor's annotators.</summary>
    private static async Task<Results<Created<CreatedInvitation>, ProblemHttpResult>> Invite(
        Guid principalId, CreateInvitationRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        var principal = await db.Principals.AsNoTracking().FirstOrDefaultAsync(p => p.Id == principalId, ct);
        if (principal is null || caller.IsVendor && principal.VendorId != caller.VendorId)
        {
            return Problems.NotFound("Principal");
        }
        var may = caller.Has(Roles.Admin) || caller.Has(Roles.VendorAdmin) && principal.Roles.SequenceEqual([Roles.Annotator]);
        if (!may)
        {
            return Problems.Forbidden("Invitations are sent by an admin, or by a vendor-admin to its vendor's annotators.");
        }
        if (principal.RevokedAt is not null)
        {
            return Problems.Conflict("principal-revoked", "The principal is revoked; it cannot enrol.");
        }
        var (id, token, hash) = ApiKeyToken.GenerateInvitation();
        var now = time.Now();
        var invitation = new Invitation
        {
            Id = id, PrincipalId = principalId, SecretHash = hash, CreatedAt = now, CreatedBy = caller.Id, ExpiresAt = now.AddHours(request.ExpiresInHours ?? 24),
        };
        db.Invitations.Add(invitation);
        await audit.RecordAsync(caller.Actor, "invitation.create", $"principal:{principalId}", new { invitation = id, expiresAt = invitation.ExpiresAt.UtcDateTime.ToString("O") }, ct);
        return TypedResults.Created($"/v1/principals/{principalId}", new CreatedInvitation(id, principalId, token, invitation.ExpiresAt));
    }

    /// <summary>Single use, before expiry, for a principal still active; the same answer for every failure.</summary>
    private static async Task<Results<Created<RedeemedKey>, ValidationProblem, ProblemHttpResult>> Redeem(
        RedeemInvitationRequest request, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var invalid = Problems.Create(401, "invitation-invalid", "The invitation is unknown, already used or expired; ask for a new one.");
        if (request.ExpiresAt is { } end && end <= time.Now())
        {
            return Problems.Invalid("expiresAt", "expiresAt must be in the future.");
        }
        if (!ApiKeyToken.TryParseInvitation(request.Invitation ?? "", out var id, out var secret))
        {
            return invalid;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await audit.LockAsync(ct); // two redemptions of one invitation: one wins
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == id, ct);
        var matches = ApiKeyToken.Matches(secret, invitation?.SecretHash ?? new byte[32]);
        var principal = invitation is null ? null : await db.Principals.AsNoTracking().FirstOrDefaultAsync(p => p.Id == invitation.PrincipalId, ct);
        var now = time.Now();
        if (!matches || invitation is not { RedeemedAt: null } || invitation.ExpiresAt <= now || principal is not { RevokedAt: null })
        {
            return invalid;
        }
        var (keyId, token, hash) = ApiKeyToken.Generate();
        db.ApiKeys.Add(new ApiKey
        {
            Id = keyId, PrincipalId = principal.Id, SecretHash = hash, CreatedAt = now, ExpiresAt = request.ExpiresAt, Origin = KeyOrigins.Invitation, MintedBy = principal.Id,
        });
        invitation.RedeemedAt = now;
        invitation.KeyId = keyId;
        await audit.RecordAsync($"principal:{principal.Id}", "key.create", $"principal:{principal.Id}", new { keyId, origin = KeyOrigins.Invitation, invitation = id }, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/v1/principals/{principal.Id}/keys", new RedeemedKey(keyId, principal.Id, token, request.ExpiresAt));
    }

    private static async Task<Results<Ok<List<KeyView>>, ProblemHttpResult>> ListKeys(Guid principalId, Caller caller, [FromServices] VendorGateDb db,
        CancellationToken ct)
    {
        if (caller.Id != principalId && (await FindManagedAsync(principalId, caller, db, ct)).Problem is { } problem)
        {
            return problem;
        }
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.PrincipalId == principalId).ToListAsync(ct);
        return TypedResults.Ok(keys.OrderBy(k => k.CreatedAt).Select(KeyView.Of).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        Guid principalId, string keyId, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] TimeProvider time,
        CancellationToken ct)
    {
        if (caller.Id != principalId && (await FindManagedAsync(principalId, caller, db, ct)).Problem is { } problem)
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
            key.RevokedAt = time.Now();
            await audit.RecordAsync(caller.Actor, "key.revoke", $"principal:{principalId}", new { keyId }, ct);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PrincipalView>, ProblemHttpResult>> Deactivate(
        Guid principalId, DeactivateRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit,
        [FromServices] TimeProvider time, CancellationToken ct)
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
            var others = await db.Principals.AsNoTracking().Where(p => p.Kind == PrincipalKinds.Staff && p.RevokedAt == null && p.Id != principalId).ToListAsync(ct);
            if (principal.Roles.Contains(Roles.Admin) && !others.Any(p => p.Roles.Contains(Roles.Admin)))
            {
                return Problems.Conflict("last-admin", "This is the last active admin; make another admin first.");
            }
            principal.RevokedAt = time.Now();
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
