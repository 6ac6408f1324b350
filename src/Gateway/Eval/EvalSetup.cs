using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Eval;

public static class EvalSetup
{
    /// <summary>Eval coverage and canaries: the canary gate a merge waits on, and its signed statement.</summary>
    public static IServiceCollection AddEval(this IServiceCollection services) =>
        services.AddScoped<CanaryGate>().AddScoped<IAttestationKind, ModelGateAttestation>();
}
