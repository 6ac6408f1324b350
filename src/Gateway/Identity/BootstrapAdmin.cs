using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Identity;

/// <summary>On first start with no principals, creates an admin and writes its key to
/// <c>&lt;DataDir&gt;/bootstrap-admin.key</c> (mode 0600). The key itself is never logged.</summary>
public static class BootstrapAdmin
{
    public const string FileName = "bootstrap-admin.key";

    public static async Task EnsureAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BootstrapAdmin));
        var path = Path.Combine(scope.ServiceProvider.GetRequiredService<IOptions<VendorGateOptions>>().Value.FullDataDir, FileName);

        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await audit.LockAsync(cancellationToken); // several processes may start at once on one PostgreSQL
        if (await db.Principals.AnyAsync(cancellationToken))
        {
            return;
        }
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().Now();
        var admin = new Principal { Kind = PrincipalKinds.Staff, Handle = "bootstrap-admin", Roles = [Roles.Admin], CreatedAt = now };
        var (keyId, token, hash) = ApiKeyToken.Generate();
        db.Principals.Add(admin);
        db.ApiKeys.Add(new ApiKey { Id = keyId, PrincipalId = admin.Id, SecretHash = hash, CreatedAt = now, Origin = KeyOrigins.Bootstrap });
        await audit.RecordAsync("system", "principal.bootstrap", $"principal:{admin.Id}", new { keyId }, cancellationToken);

        await SecretFile.WriteAsync(path, token + "\n", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        logger.LogWarning("Created the bootstrap admin; its API key is in {Path}. Create named staff and delete that file.", path);
    }
}
