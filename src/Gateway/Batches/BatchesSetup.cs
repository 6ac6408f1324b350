namespace VendorGate.Gateway.Batches;

public static class BatchesSetup
{
    /// <summary>Batches: ingest, the examples reader, the sweeper that restarts stalled jobs and the upload sessions' cleanup.</summary>
    public static IServiceCollection AddBatches(this IServiceCollection services)
    {
        services.AddScoped<ContentIngest>();
        services.AddScoped<BatchExamples>();
        services.AddScoped<StalledJobs>();
        services.AddScoped<Uploads.UploadSessionCleanup>();
        return services;
    }
}
