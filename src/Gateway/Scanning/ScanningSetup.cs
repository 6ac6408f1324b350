using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

public static class ScanningSetup
{
    /// <summary>The scan stage: the scan job (whole, or sharded across worker processes), the scan policy (severities), the back-pressure on intake while scans are behind, the content scan loop, every scanner's options, and every
    /// scanner in this assembly (found by type: a new scanner needs no registration).</summary>
    public static IServiceCollection AddScanning(this IServiceCollection services)
    {
        services.AddOptions<ScanOptions>().BindConfiguration(ScanOptions.Section)
            .Validate(o => o.Severity.Values.All(s => s is Severity.Info or Severity.Warn or Severity.Block),
                "VendorGate:Scan:Severity values are info, warn or block")
            .Validate(o => o.ShardExamples is null or >= 0, "VendorGate:Scan:ShardExamples is 0 (never shard) or more")
            .PostConfigure<IConfiguration>((o, configuration) =>
                o.ShardExamples ??= string.IsNullOrEmpty(configuration.GetConnectionString("Postgres")) ? 0 : ScanOptions.DefaultShardExamples)
            .ValidateOnStart();
        services.AddOptions<ScanBacklogOptions>().BindConfiguration(ScanBacklogOptions.Section)
            .Validate(o => o.MaxSeconds >= 0 && o.MinExamplesPerSecond > 0,
                "VendorGate:Scan:Backlog:MaxSeconds is 0 (never refuse) or more; MinExamplesPerSecond is more than 0")
            .ValidateOnStart();
        services.AddSingleton<ScanBacklog>();
        services.AddScoped<ScanBatchJob>();
        services.AddScoped<ScanShardJob>();
        services.AddScoped<ScanMergeJob>();
        services.AddScoped<ScanShardCleanup>();
        services.AddScoped<ScanResults>();
        services.AddOptions<GibberishOptions>().BindConfiguration(GibberishOptions.Section);
        services.AddOptions<WordSaladOptions>().BindConfiguration(WordSaladOptions.Section);
        services.AddOptions<LicensePolicyOptions>().BindConfiguration(LicensePolicyOptions.Section).PostConfigure(o =>
        {
            o.Allow = o.Allow is [] ? LicensePolicyOptions.DefaultAllow : o.Allow;
            o.Deny = o.Deny is [] ? LicensePolicyOptions.DefaultDeny : o.Deny;
        });
        services.AddOptions<EvalCoverageOptions>().BindConfiguration(EvalCoverageOptions.Section);
        services.AddOptions<DuplicateOptions>().BindConfiguration(DuplicateOptions.Section);
        // A scanner may be both kinds (inspect each example, then conclude on the batch): one instance per scan serves both.
        foreach (var scanner in typeof(IBatchScanner).Assembly.GetTypes()
                     .Where(t => t is { IsClass: true, IsAbstract: false } && (t.IsAssignableTo(typeof(IBatchScanner)) || t.IsAssignableTo(typeof(IExampleScanner)))))
        {
            services.AddScoped(scanner);
            if (scanner.IsAssignableTo(typeof(IExampleScanner)))
            {
                services.AddScoped(typeof(IExampleScanner), sp => sp.GetRequiredService(scanner));
            }
            if (scanner.IsAssignableTo(typeof(IBatchScanner)))
            {
                services.AddScoped(typeof(IBatchScanner), sp => sp.GetRequiredService(scanner));
            }
        }
        return services;
    }
}
