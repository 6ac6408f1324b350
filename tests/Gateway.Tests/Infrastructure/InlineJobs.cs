using System.Collections.Concurrent;
using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>The job-runner seam, for tests: the Gateway enqueues its background work (scans, signing, revocations)
/// through Hangfire's <see cref="IBackgroundJobClient"/>; this one runs each job at once, on the caller's thread and in a
/// scope of its own, so the request that enqueued it returns with the work done and a test reads the outcome without
/// polling. No retries: a job that throws is kept in <see cref="Failed"/> (its caller, as with a Hangfire enqueue, never
/// sees the failure).</summary>
public sealed class InlineJobs(IServiceScopeFactory scopes) : IBackgroundJobClient
{
    public ConcurrentQueue<(string Job, Exception Error)> Failed { get; } = new();

    public string Create(Job job, IState state)
    {
        if (state is not EnqueuedState)
        {
            throw new NotSupportedException($"Inline jobs run at once; the Gateway asked for {state.Name} ({job}).");
        }
        using var scope = scopes.CreateScope();
        var target = job.Method.IsStatic ? null : scope.ServiceProvider.GetRequiredService(job.Type);
        try
        {
            if (job.Method.Invoke(target, [.. job.Args]) is Task task)
            {
                task.GetAwaiter().GetResult();
            }
        }
        catch (Exception e)
        {
            Failed.Enqueue(($"{job.Type.Name}.{job.Method.Name}({string.Join(", ", job.Args)})", e is TargetInvocationException { InnerException: { } inner } ? inner : e));
        }
        return Guid.NewGuid().ToString("N");
    }

    public bool ChangeState(string jobId, IState state, string expectedState) => false;
}

/// <summary>The embedded Gateway with its jobs run inline (<see cref="InlineJobs"/>) and no Hangfire workers.</summary>
public sealed class InlineJobsGateway : EmbeddedGateway
{
    public InlineJobs Jobs => (InlineJobs)Services.GetRequiredService<IBackgroundJobClient>();

    protected override Dictionary<string, string?> Settings => new(base.Settings) { ["VendorGate:Jobs:RunServer"] = "false" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IBackgroundJobClient, InlineJobs>());
    }
}
