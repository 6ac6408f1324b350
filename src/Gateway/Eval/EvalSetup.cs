namespace VendorGate.Gateway.Eval;

public static class EvalSetup
{
    /// <summary>Eval coverage and canaries: the canary gate a merge waits on.</summary>
    public static IServiceCollection AddEval(this IServiceCollection services) => services.AddScoped<CanaryGate>();
}
