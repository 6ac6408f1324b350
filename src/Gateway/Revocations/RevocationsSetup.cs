using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Revocations;

public static class RevocationsSetup
{
    /// <summary>Revocations: the job that cuts the snapshot without the revoked examples and names what it affected, and
    /// the statement of it.</summary>
    public static IServiceCollection AddRevocations(this IServiceCollection services) =>
        services.AddScoped<RevocationJob>().AddScoped<IAttestationKind, RevocationAttestation>();
}
