using System.Security.Cryptography;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Vendors;

/// <param name="PublicKeyPem">SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").</param>
/// <param name="Algorithm">For RSA keys: PS256 (default) or RS256. EC P-256 keys sign ES256.</param>
public sealed record RegisterVendorKeyRequest(string PublicKeyPem, string? Algorithm);

public sealed class RegisterVendorKeyValidator : AbstractValidator<RegisterVendorKeyRequest>
{
    public RegisterVendorKeyValidator()
    {
        RuleFor(r => r.PublicKeyPem).NotEmpty().MaximumLength(10_000);
        RuleFor(r => r.Algorithm).Must(a => a is null or "PS256" or "RS256").WithMessage("algorithm is PS256 or RS256 (RSA keys only).");
    }
}

public static class VendorSigningKeysApi
{
    /// <summary>A vendor's <c>/signing-keys</c>.</summary>
    public static ResourceRoutes MapVendorSigningKeys(this ResourceRoutes vendor)
    {
        var group = vendor.One.MapGroup("/signing-keys").WithTags("Vendors")
            .AddEndpointFilter<ValidationFilter>().ProducesProblem(401).ProducesProblem(404);
        group.MapPost("/", Register).RequireAuthorization(Policies.ManageRoster)
            .WithName("RegisterVendorSigningKey")
            .WithSummary("Registers a public key whose signatures the Gateway accepts on this vendor's receipt statements (vendor-admin, admin).")
            .ProducesValidationProblem().ProducesProblem(403).ProducesProblem(409);
        group.MapGet("/", List).RequireAuthorization(Policies.ReadDirectory).WithName("ListVendorSigningKeys")
            .WithSummary("The vendor's registered public keys as a JWKS (nbf: registered, retired: revoked).");
        return vendor;
    }

    private static async Task<Results<Created<Jwk>, ValidationProblem, ProblemHttpResult>> Register(
        Guid vendorId, RegisterVendorKeyRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (await VendorsApi.FindVisibleAsync(vendorId, caller, db, ct) is null)
        {
            return Problems.NotFound("Vendor");
        }
        if (Parse(request) is not { } jwk)
        {
            return Problems.Invalid("publicKeyPem", "Not a P-256 or RSA (at least 3072 bits) public key in PEM (-----BEGIN PUBLIC KEY-----).");
        }
        if (await db.VendorSigningKeys.AnyAsync(k => k.Kid == jwk.Kid, ct))
        {
            return Problems.Conflict("key-registered", "This public key is already registered.");
        }
        var now = time.Now();
        db.VendorSigningKeys.Add(new VendorSigningKey { Kid = jwk.Kid, VendorId = vendorId, Jwk = JsonSerializer.Serialize(jwk), CreatedAt = now });
        await audit.RecordAsync(caller.Actor, "vendor-key.register", $"vendor:{vendorId}", new { kid = jwk.Kid, jwk.Alg }, ct);
        return TypedResults.Created($"/v1/vendors/{vendorId}/signing-keys", jwk with { NotBefore = now.ToUnixTimeSeconds() });
    }

    private static async Task<Results<Ok<JsonWebKeySet>, ProblemHttpResult>> List(Guid vendorId, Caller caller, [FromServices] VendorGateDb db,
        CancellationToken ct)
    {
        if (await VendorsApi.FindVisibleAsync(vendorId, caller, db, ct) is null)
        {
            return Problems.NotFound("Vendor");
        }
        var keys = await db.VendorSigningKeys.AsNoTracking().Where(k => k.VendorId == vendorId).ToListAsync(ct);
        return TypedResults.Ok(new JsonWebKeySet(keys.OrderBy(k => k.CreatedAt).Select(k => JsonSerializer.Deserialize<Jwk>(k.Jwk)! with
        {
            NotBefore = k.CreatedAt.ToUnixTimeSeconds(),
            Retired = k.RevokedAt?.ToUnixTimeSeconds(),
        }).ToList()));
    }

    private static Jwk? Parse(RegisterVendorKeyRequest request)
    {
        try
        {
            using var ec = ECDsa.Create();
            ec.ImportFromPem(request.PublicKeyPem);
            return request.Algorithm is null && ec.KeySize == 256 ? Jwk.FromECDsa(ec) : null;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
        }
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(request.PublicKeyPem);
            return rsa.KeySize >= 3072 ? Jwk.FromRsa(rsa, request.Algorithm ?? "PS256") : null;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return null;
        }
    }
}
