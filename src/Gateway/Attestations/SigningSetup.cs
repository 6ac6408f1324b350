using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Options;
using VendorGate.Attest.KeyVault;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Attestations;

/// <summary><c>VendorGate:KeyVault</c>: sign with an Azure Key Vault key instead of the local key file.</summary>
public sealed class KeyVaultOptions
{
    public const string Section = "VendorGate:KeyVault";

    /// <summary><c>https://{vault}.vault.azure.net/keys/{name}</c> (newest enabled version signs) or with <c>/{version}</c>.</summary>
    public string? KeyId { get; set; }

    /// <summary>With <see cref="ClientId"/> and <see cref="ClientSecret"/>: a service principal; otherwise DefaultAzureCredential.</summary>
    public string? TenantId { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    public string ApiVersion { get; set; } = "7.6";

    /// <summary>For RSA keys: PS256 or RS256.</summary>
    public string RsaAlgorithm { get; set; } = "PS256";

    public bool Enabled => !string.IsNullOrEmpty(KeyId);
}

public static class SigningSetup
{
    public const string LocalKeyFile = "keys/gateway-es256.pem";

    /// <summary>The local ECDSA P-256 key under <c>&lt;DataDir&gt;/keys</c>, or the Key Vault key when <c>VendorGate:KeyVault:KeyId</c> is set.
    /// Tests may register their own <see cref="TokenCredential"/> and <see cref="KeyVaultSignerOptions"/> (transport).</summary>
    public static IServiceCollection AddSigning(this IServiceCollection services)
    {
        services.AddOptions<KeyVaultOptions>().BindConfiguration(KeyVaultOptions.Section)
            .Validate(o => !o.Enabled || Uri.TryCreate(o.KeyId, UriKind.Absolute, out var u) && u.Scheme == "https",
                "VendorGate:KeyVault:KeyId must be an https URL: https://<vault>.vault.azure.net/keys/<name>")
            .Validate(o => string.IsNullOrEmpty(o.ClientSecret) || !string.IsNullOrEmpty(o.TenantId) && !string.IsNullOrEmpty(o.ClientId),
                "VendorGate:KeyVault:ClientSecret needs TenantId and ClientId")
            .Validate(o => o.RsaAlgorithm is "PS256" or "RS256", "VendorGate:KeyVault:RsaAlgorithm is PS256 or RS256")
            .ValidateOnStart();
        services.AddSingleton<ISigner>(sp =>
        {
            var vault = sp.GetRequiredService<IOptions<KeyVaultOptions>>().Value;
            if (!vault.Enabled)
            {
                var dataDir = sp.GetRequiredService<IOptions<VendorGateOptions>>().Value.FullDataDir;
                return LocalEcdsaSigner.LoadOrCreate(Path.Combine(dataDir, LocalKeyFile));
            }
            var credential = sp.GetService<TokenCredential>()
                ?? (string.IsNullOrEmpty(vault.ClientSecret)
                    ? new DefaultAzureCredential()
                    : new ClientSecretCredential(vault.TenantId, vault.ClientId, vault.ClientSecret));
            var options = sp.GetService<KeyVaultSignerOptions>() ?? new KeyVaultSignerOptions();
            options.ApiVersion = vault.ApiVersion;
            options.RsaAlgorithm = vault.RsaAlgorithm;
            return new KeyVaultSigner(new Uri(vault.KeyId!), credential, options);
        });
        services.AddScoped<SigningKeyRegistry>();
        services.AddScoped<Attestor>();
        services.AddScoped<ReceiptAttestation>();
        services.AddScoped<IAttestationKind>(sp => sp.GetRequiredService<ReceiptAttestation>());
        services.AddScoped<AttestJob>();
        return services;
    }
}
