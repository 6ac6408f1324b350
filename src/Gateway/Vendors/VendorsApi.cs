using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Vendors;

public static class VendorsApi
{
    /// <summary>Maps <c>/v1/vendors</c>; returns the group of one vendor for the features that serve its sub-resources.</summary>
    public static ResourceRoutes MapVendors(this IEndpointRouteBuilder routes)
    {
        var vendors = routes.MapGroup("/v1/vendors");
        var group = vendors.MapGroup("").WithTags("Vendors").AddEndpointFilter<ValidationFilter>()
            .ProducesProblem(401);

        group.MapPost("/", CreateVendor).RequireAuthorization(Policies.Administer)
            .WithName("CreateVendor").WithSummary("Registers a labelling vendor (admin).")
            .ProducesValidationProblem().ProducesProblem(403).ProducesProblem(409);
        group.MapGet("/", ListVendors).RequireAuthorization(Policies.ReadDirectory)
            .WithName("ListVendors").WithSummary("Vendors, paged; a vendor principal sees only its own.").ProducesProblem(400);
        group.MapGet("/{vendorId:guid}", GetVendor).RequireAuthorization(Policies.ReadDirectory)
            .WithName("GetVendor").WithSummary("One vendor; another vendor's is a 404 to vendor principals.").ProducesProblem(404);
        group.MapPost("/{vendorId:guid}/annotators", (Guid vendorId, CreateRosterMemberRequest request, Caller caller, [FromServices] VendorGateDb db,
            [FromServices] AuditLog audit, [FromServices] TimeProvider time, CancellationToken ct) =>
                AddRosterMember(vendorId, request, Roles.Annotator, caller, db, audit, time, ct))
            .RequireAuthorization(Policies.ManageRoster)
            .WithName("CreateAnnotator").WithSummary("Adds an annotator to the vendor's roster (vendor-admin of that vendor, admin).")
            .ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{vendorId:guid}/admins", (Guid vendorId, CreateRosterMemberRequest request, Caller caller, [FromServices] VendorGateDb db,
            [FromServices] AuditLog audit, [FromServices] TimeProvider time, CancellationToken ct) =>
                AddRosterMember(vendorId, request, Roles.VendorAdmin, caller, db, audit, time, ct))
            .RequireAuthorization(Policies.Administer)
            .WithName("CreateVendorAdmin").WithSummary("Creates a vendor-admin for the vendor (admin).")
            .ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{vendorId:guid}/annotators", ListRoster).RequireAuthorization(Policies.ReadDirectory)
            .WithName("ListRoster").WithSummary("The vendor's principals (annotators and vendor-admins).").ProducesProblem(404);
        return new ResourceRoutes(vendors.MapGroup("/{vendorId:guid}"));
    }

    private static async Task<Results<Created<VendorView>, ProblemHttpResult>> CreateVendor(
        CreateVendorRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] TimeProvider time,
        CancellationToken ct)
    {
        if (await db.Vendors.AnyAsync(v => v.Name == request.Name, ct))
        {
            return Problems.Conflict("vendor-exists", $"A vendor named '{request.Name}' already exists.");
        }
        var vendor = new Vendor { Name = request.Name, Jurisdiction = request.Jurisdiction, ContactEmail = request.ContactEmail, CreatedAt = time.Now() };
        db.Vendors.Add(vendor);
        await audit.RecordAsync(caller.Actor, "vendor.create", $"vendor:{vendor.Id}", new { vendor.Name, vendor.Jurisdiction }, ct);
        return TypedResults.Created($"/v1/vendors/{vendor.Id}", VendorView.Of(vendor));
    }

    private static async Task<Results<Ok<Page<VendorView>>, ValidationProblem>> ListVendors(
        Caller caller, [FromServices] VendorGateDb db, string? cursor, int? limit, CancellationToken ct)
    {
        var query = db.Vendors.AsNoTracking();
        if (caller.IsVendor)
        {
            query = query.Where(v => v.Id == caller.VendorId);
        }
        return await Paging.ByIdAsync(query, v => v.Id, newestFirst: false, cursor, limit, ct) is { } page
            ? TypedResults.Ok(page.Select(VendorView.Of))
            : Paging.BadCursor();
    }

    private static async Task<Results<Ok<VendorView>, ProblemHttpResult>> GetVendor(Guid vendorId, Caller caller, [FromServices] VendorGateDb db,
        CancellationToken ct)
    {
        var vendor = await FindVisibleAsync(vendorId, caller, db, ct);
        return vendor is null ? Problems.NotFound("Vendor") : TypedResults.Ok(VendorView.Of(vendor));
    }

    private static async Task<Results<Created<PrincipalView>, ProblemHttpResult>> AddRosterMember(
        Guid vendorId, CreateRosterMemberRequest request, string role, Caller caller, VendorGateDb db, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        if (await FindVisibleAsync(vendorId, caller, db, ct) is null)
        {
            return Problems.NotFound("Vendor");
        }
        if (await db.Principals.AnyAsync(p => p.VendorId == vendorId && p.Handle == request.Handle, ct))
        {
            return Problems.Conflict("handle-taken", $"The vendor already has a principal with handle '{request.Handle}'.");
        }
        var principal = new Principal
        {
            Kind = PrincipalKinds.Vendor, Handle = request.Handle, DisplayName = Identity.Names.Clean(request.DisplayName),
            VendorId = vendorId, Roles = [role], CreatedAt = time.Now(),
        };
        db.Principals.Add(principal);
        await audit.RecordAsync(caller.Actor, $"{role}.create", $"principal:{principal.Id}", new { vendorId, principal.Handle }, ct);
        return TypedResults.Created($"/v1/principals/{principal.Id}", PrincipalView.Of(principal));
    }

    private static async Task<Results<Ok<Page<PrincipalView>>, ValidationProblem, ProblemHttpResult>> ListRoster(
        Guid vendorId, Caller caller, [FromServices] VendorGateDb db, string? cursor, int? limit, CancellationToken ct)
    {
        if (await FindVisibleAsync(vendorId, caller, db, ct) is null)
        {
            return Problems.NotFound("Vendor");
        }
        var query = db.Principals.AsNoTracking().Where(p => p.VendorId == vendorId);
        return await Paging.ByIdAsync(query, p => p.Id, newestFirst: false, cursor, limit, ct) is { } page
            ? TypedResults.Ok(page.Select(PrincipalView.Of))
            : Paging.BadCursor();
    }

    /// <summary>The vendor if the caller may see it: staff see all, vendor principals only their own.</summary>
    internal static Task<Vendor?> FindVisibleAsync(Guid vendorId, Caller caller, VendorGateDb db, CancellationToken ct) =>
        caller.IsVendor && caller.VendorId != vendorId
            ? Task.FromResult<Vendor?>(null)
            : db.Vendors.AsNoTracking().FirstOrDefaultAsync(v => v.Id == vendorId, ct);
}
