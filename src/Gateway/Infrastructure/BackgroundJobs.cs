using Hangfire;
using Hangfire.PostgreSql;
using VendorGate.Gateway.Identity;

namespace VendorGate.Gateway.Infrastructure;

public sealed class JobsOptions
{
    public const string Section = "VendorGate:Jobs";

    /// <summary>Run a Hangfire server (workers) in this process.</summary>
    public bool RunServer { get; set; } = true;

    public int Workers { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>How often PostgreSQL-backed workers poll for new jobs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often retries that are due are moved back to the queue.</summary>
    public TimeSpan SchedulePollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Back-off of a failed job, one delay per retry (then the job is failed; start-up resumes it).</summary>
    public int[] RetryDelaysSeconds { get; set; } = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 3600, 3600, 3600];
}

public static class BackgroundJobs
{
    /// <summary>Hangfire on PostgreSQL when <c>ConnectionStrings:Postgres</c> is set (any number of processes share it),
    /// else in memory, in this process.</summary>
    public static IServiceCollection AddBackgroundJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var jobs = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var postgres = configuration.GetConnectionString("Postgres");
        services.AddHangfire(config =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            // Filters live in a process-wide list: replace Hangfire's default retry with our back-off. (Done here, after
            // Hangfire has installed this host's logger, which the attribute's constructor picks up.)
            foreach (var retry in GlobalJobFilters.Filters.Where(f => f.Instance is AutomaticRetryAttribute).ToList())
            {
                GlobalJobFilters.Filters.Remove(retry.Instance);
            }
            config.UseFilter(new AutomaticRetryAttribute { Attempts = jobs.RetryDelaysSeconds.Length, DelaysInSeconds = jobs.RetryDelaysSeconds });
            if (string.IsNullOrEmpty(postgres))
            {
                config.UseInMemoryStorage();
            }
            else
            {
                config.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(postgres),
                    new PostgreSqlStorageOptions { QueuePollInterval = jobs.PollInterval, PrepareSchemaIfNecessary = true });
            }
        });
        if (jobs.RunServer)
        {
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = jobs.Workers;
                o.SchedulePollingInterval = jobs.SchedulePollInterval;
            });
        }
        return services;
    }

    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder routes)
    {
        routes.MapHangfireDashboardWithAuthorizationPolicy(Policies.Administer, "/hangfire");
        return routes;
    }
}
