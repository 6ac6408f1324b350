namespace VendorGate.Gateway.Batches;

public static class BatchesSetup
{
    /// <summary>Batches: ingest, the examples reader, the scan job and the sweeper that restarts stalled ones.</summary>
    public static IServiceCollection AddBatches(this IServiceCollection services)
    {
        services.AddScoped<ContentIngest>();
        services.AddScoped<BatchExamples>();
        services.AddScoped<ScanBatchJob>();
        services.AddScoped<StalledJobs>();
        return services;
    }
}
