namespace VendorGate.Gateway.Batches;

public static class BatchesSetup
{
    /// <summary>Batches: ingest, the examples reader and the sweeper that restarts stalled jobs.</summary>
    public static IServiceCollection AddBatches(this IServiceCollection services)
    {
        services.AddScoped<ContentIngest>();
        services.AddScoped<BatchExamples>();
        services.AddScoped<StalledJobs>();
        return services;
    }
}
