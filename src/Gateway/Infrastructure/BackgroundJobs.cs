using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using VendorGate.Gateway.Identity;

namespace VendorGate.Gateway.Infrastructure;

public sealed class JobsOptions
{
    public const string Section = "VendorGate:Jobs";

    /// <summary>Run a Hangfire server (workers) in this process.</summary>
    public bool RunServer { get; set; } = true;

    public int Workers { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>How often PostgreSQL-backed workers poll for new jobs when no notification woke them: an enqueue in any
    /// Gateway process wakes them at once (<c>LISTEN</c>/<c>NOTIFY</c>), so the poll is only a safety net.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often retries that are due are moved back to the queue.</summary>
    public TimeSpan SchedulePollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Back-off of a failed job, one delay per retry (then the job is failed; start-up resumes it); configured,
    /// the list replaces <see cref="DefaultRetryDelaysSeconds"/> (applied only when none is configured: binding appends
    /// to an array it finds).</summary>
    public int[] RetryDelaysSeconds { get; set; } = [];

    public static readonly int[] DefaultRetryDelaysSeconds = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 3600, 3600, 3600];

    /// <summary>The section as configured, defaults applied.</summary>
    public static JobsOptions From(IConfiguration configuration)
    {
        var jobs = configuration.GetSection(Section).Get<JobsOptions>() ?? new JobsOptions();
        jobs.RetryDelaysSeconds = jobs.RetryDelaysSeconds is [] ? DefaultRetryDelaysSeconds : jobs.RetryDelaysSeconds;
        return jobs;
    }
}

public static class BackgroundJobs
{
    /// <summary>Hangfire on PostgreSQL when <c>ConnectionStrings:Postgres</c> is set (any number of processes share it),
    /// else in memory, in this process.</summary>
    /// <remarks>The storage, job activator and filters are this host's own services, not Hangfire's process-wide
    /// statics (<c>JobStorage.Current</c>, <c>GlobalJobFilters</c>): two Gateways in one process (the test suite runs
    /// many at once) never see each other's jobs.</remarks>
    public static IServiceCollection AddBackgroundJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var jobs = JobsOptions.From(configuration);
        var postgres = configuration.GetConnectionString("Postgres");
        services.AddSingleton<JobStorage>(_ =>
        {
            if (string.IsNullOrEmpty(postgres))
            {
                return new InMemoryStorage();
            }
            // Long polling: an enqueue NOTIFYs and idle workers LISTEN (each on a connection of its own while it waits),
            // in whichever Gateway process they run.
            var options = new PostgreSqlStorageOptions { QueuePollInterval = jobs.PollInterval, PrepareSchemaIfNecessary = true, EnableLongPolling = true };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(postgres, options), options);
        });
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<IJobFilterProvider>(_ => new JobFilterProviderCollection(Filters(jobs), new JobFilterAttributeFilterProvider()));
        services.AddHangfire((provider, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings()
            .UseLogProvider(new HostLogProvider(provider.GetRequiredService<ILoggerFactory>())));
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

    /// <summary>Hangfire's default filters with its retry replaced by our back-off.</summary>
    private static JobFilterCollection Filters(JobsOptions jobs)
    {
        var filters = new JobFilterCollection();
        foreach (var filter in GlobalJobFilters.Filters.Where(f => f.Instance is not AutomaticRetryAttribute))
        {
            filters.Add(filter.Instance, filter.Order);
        }
        filters.Add(new AutomaticRetryAttribute { Attempts = jobs.RetryDelaysSeconds.Length, DelaysInSeconds = jobs.RetryDelaysSeconds });
        return filters;
    }

    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder routes)
    {
        routes.MapHangfireDashboardWithAuthorizationPolicy(Policies.Administer, "/hangfire");
        return routes;
    }
}

/// <summary>Hangfire's log provider is process-wide and the last host to start installs its own: when several hosts
/// share a process (the test suite) and that one stops first, the others log nothing rather than fail on its
/// disposed logger factory.</summary>
internal sealed class HostLogProvider(ILoggerFactory loggers) : Hangfire.Logging.ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(loggers);

    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try
        {
            return _inner.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return Silent.Instance;
        }
    }

    private sealed class Silent : Hangfire.Logging.ILog
    {
        public static readonly Silent Instance = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
