using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Attestations;

/// <summary>Records every key before it first signs, and retires the previous ones, so the JWKS at
/// <c>/.well-known/vendorgate/keys</c> always holds every key that ever signed.</summary>
public sealed class SigningKeyRegistry(VendorGateDb db, AuditLog audit, TimeProvider time)
{
    public async Task RecordAsync(Jwk key, CancellationToken cancellationToken)
    {
        if (await db.SigningKeys.AnyAsync(k => k.Kid == key.Kid, cancellationToken))
        {
            return;
        }
        var now = time.Now();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SigningKeys.Where(k => k.RetiredAt == null).ExecuteUpdateAsync(s => s.SetProperty(k => k.RetiredAt, now), cancellationToken);
            db.SigningKeys.Add(new SigningKey { Kid = key.Kid, Jwk = JsonSerializer.Serialize(key), FirstUsedAt = now });
            await audit.RecordAsync("system:signer", "signing-key.first-use", $"key:{key.Kid}", new { key.Alg, key.Kty }, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            foreach (var added in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList())
            {
                added.State = EntityState.Detached; // only what this attempt added; the caller's entities stay tracked
            }
            if (!await db.SigningKeys.AsNoTracking().AnyAsync(k => k.Kid == key.Kid, cancellationToken))
            {
                throw;
            }
            // Another process recorded it first.
        }
    }

    /// <summary>A key recorded earlier (it has signed, or was pinned to sign).</summary>
    public async Task<Jwk> FindAsync(string kid, CancellationToken cancellationToken)
    {
        var key = await db.SigningKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Kid == kid, cancellationToken)
            ?? throw new InvalidOperationException($"signing key {kid} is not recorded");
        return JsonSerializer.Deserialize<Jwk>(key.Jwk)!;
    }

    /// <summary>The first of <paramref name="kids"/> that is a key this Gateway recorded, or null: which signature of an
    /// envelope is the Gateway's.</summary>
    public async Task<Jwk?> FindRecordedAsync(IReadOnlyCollection<string> kids, CancellationToken cancellationToken)
    {
        var recorded = await db.SigningKeys.AsNoTracking().Where(k => kids.Contains(k.Kid)).ToListAsync(cancellationToken);
        return kids.Select(kid => recorded.FirstOrDefault(k => k.Kid == kid)).FirstOrDefault(k => k is not null) is { } key
            ? JsonSerializer.Deserialize<Jwk>(key.Jwk) : null;
    }

    /// <summary>Publishes the key that signs now at start-up, so a verifier can pin it before the first signature. A
    /// signer that cannot be reached yet (a vault outage) does not stop the start: the key is published when it first
    /// signs, and <c>/readyz</c> reports the signer.</summary>
    public static async Task PublishCurrentAsync(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        try
        {
            var key = await scope.ServiceProvider.GetRequiredService<ISigner>().GetCurrentKeyAsync();
            await scope.ServiceProvider.GetRequiredService<SigningKeyRegistry>().RecordAsync(key, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            scope.ServiceProvider.GetRequiredService<ILogger<SigningKeyRegistry>>()
                .LogWarning(e, "The current signing key could not be read at start-up; it is published in the JWKS when it first signs.");
        }
    }

    public async Task<JsonWebKeySet> ToJwksAsync(CancellationToken cancellationToken)
    {
        var keys = await db.SigningKeys.AsNoTracking().ToListAsync(cancellationToken);
        return new JsonWebKeySet(keys.OrderBy(k => k.FirstUsedAt).Select(k => JsonSerializer.Deserialize<Jwk>(k.Jwk)! with
        {
            NotBefore = k.FirstUsedAt.ToUnixTimeSeconds(),
            Retired = k.RetiredAt?.ToUnixTimeSeconds(),
        }).ToList());
    }
}
