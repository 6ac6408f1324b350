namespace VendorGate.Gateway.Batches;

public static class BatchesSetup
{
    /// <summary>Batches: ingest, the examples reader, the sweeper that restarts stalled jobs, upload sessions ingested as they arrive and their cleanup.</summary>
    public static IServiceCollection AddBatches(this IServiceCollection services)
    {
        services.AddSingleton<ContentIngest>();
        services.AddSingleton<Ingest.IntakeLoad>();
        services.AddSingleton<Ingest.IngestWarmUpService>();
        services.AddHostedService(sp => sp.GetRequiredService<Ingest.IngestWarmUpService>());
        services.AddSingleton<Uploads.StreamingIngests>();
        services.AddScoped<BatchExamples>();
        services.AddScoped<StalledJobs>();
        services.AddScoped<Uploads.UploadSessionCleanup>();
        return services;
    }
}
