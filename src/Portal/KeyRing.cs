using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace VendorGate.Portal;

/// <summary><c>Portal:DataProtection</c>: where the keys that encrypt the sign-in cookie live. The cookie holds a person's
/// API key or access token, so its keys are shared by every Portal instance (one folder they all mount) and encrypted at
/// rest with a certificate. Without a folder each process keeps its keys in memory only: sign-ins do not survive a
/// restart and are not shared, but no key is ever written unencrypted.</summary>
public static class KeyRing
{
    public const string Section = "Portal:DataProtection";

    public static IServiceCollection AddKeyRing(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var section = configuration.GetSection(Section);
        if (section["KeysPath"] is not { Length: > 0 } path)
        {
            services.AddDataProtection().UseEphemeralDataProtectionProvider(); // in memory only: never unencrypted on disk
            return services;
        }
        var builder = services.AddDataProtection().SetApplicationName("VendorGate.Portal").PersistKeysToFileSystem(Directory.CreateDirectory(path));
        if (section["CertificatePath"] is { Length: > 0 } certificatePath)
        {
            builder.ProtectKeysWithCertificate(X509CertificateLoader.LoadPkcs12FromFile(certificatePath, section["CertificatePassword"]));
        }
        else if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{Section}:KeysPath is set without {Section}:CertificatePath: the keys that protect sign-ins (which hold API keys) would be stored unencrypted.");
        }
        return services;
    }
}
