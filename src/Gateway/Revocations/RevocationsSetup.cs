namespace VendorGate.Gateway.Revocations;

public static class RevocationsSetup
{
    /// <summary>Revocations: the job that cuts the snapshot without the revoked examples and names what it affected.</summary>
    public static IServiceCollection AddRevocations(this IServiceCollection services) => services.AddScoped<RevocationJob>();
}
