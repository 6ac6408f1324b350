using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Compliance;

/// <summary>Gathers a vendor's compliance facts from the database and evaluates the policy.</summary>
public sealed class ComplianceService(VendorGateDb db, IOptions<ComplianceOptions> options, IServiceScopeFactory scopes, TimeProvider time)
{
    public ComplianceOptions Options => options.Value;

    /// <summary>Evaluates the policy now; <paramref name="record"/> keeps the day's status in the history (in its own
    /// unit of work, so never inside a caller's transaction).</summary>
    public async Task<ComplianceReport> AssessAsync(Guid vendorId, CancellationToken ct, bool record = true)
    {
        var now = time.Now();
        var evidence = await db.VendorEvidence.AsNoTracking().Where(e => e.VendorId == vendorId).ToListAsync(ct);
        // Dates are compared here: SQLite cannot compare DateTimeOffset in queries.
        var batches = await db.Batches.AsNoTracking().Where(b => b.VendorId == vendorId && b.Status != BatchStatus.Open)
            .Select(b => new { b.Id, b.SubmitterId, b.CreatedAt, b.Status, b.ScannedAt }).ToListAsync(ct);
        var recent = batches.Where(b => b.CreatedAt >= now.AddDays(-options.Value.AttributionWindowDays)).ToList();
        var submitters = recent.Select(b => b.SubmitterId).Distinct().ToList();
        var unnamed = await db.Principals.AsNoTracking()
            .Where(p => submitters.Contains(p.Id) && (p.DisplayName == null || p.DisplayName == "")).Select(p => p.Handle).ToListAsync(ct);
        var keys = await db.VendorSigningKeys.AsNoTracking().CountAsync(k => k.VendorId == vendorId && k.RevokedAt == null, ct);
        var quarantined = batches.Where(b => b.Status == BatchStatus.Quarantined).Select(b => (b.Id, b.ScannedAt ?? b.CreatedAt)).ToList();
        var roster = db.Principals.Where(p => p.VendorId == vendorId).Select(p => p.Id);
        var vendorBatches = db.Batches.Where(b => b.VendorId == vendorId).Select(b => b.Id);
        var revocations = await db.Set<Revocations.Revocation>().AsNoTracking()
            .Where(r => (r.AnnotatorId != null && roster.Contains(r.AnnotatorId.Value)) || (r.BatchId != null && vendorBatches.Contains(r.BatchId.Value)))
            .Select(r => r.RequestedAt).ToListAsync(ct);
        var acknowledged = (await db.RevocationAcknowledgements.AsNoTracking().Where(a => a.VendorId == vendorId).Select(a => a.At).ToListAsync(ct))
            .Select(a => (DateTimeOffset?)a).Max();
        var reviewed = (await db.RevocationReviews.AsNoTracking().Where(r => r.VendorId == vendorId).Select(r => r.At).ToListAsync(ct))
            .Select(a => (DateTimeOffset?)a).Max();
        var exceptions = await db.ComplianceExceptions.AsNoTracking().Where(e => e.VendorId == vendorId)
            .Select(e => new ExceptionRef(e.Id, e.Reason, e.ExpiresAt, e.GrantedBy, e.GrantedAt)).ToListAsync(ct);
        var facts = new ComplianceFacts(evidence, recent.Count, unnamed, keys, quarantined, revocations.Count, acknowledged,
            exceptions, revocations.Count(at => reviewed is null || at > reviewed));
        var report = CompliancePolicy.Evaluate(vendorId, facts, options.Value, now);
        if (record)
        {
            await RecordAsync(vendorId, report.Status, now, ct);
        }
        return report;
    }

    /// <summary>Keeps the day's status in the history, in its own unit of work (never the caller's); a concurrent
    /// assessment that wrote the same day first wins, which is the same information.</summary>
    private async Task RecordAsync(Guid vendorId, string status, DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var history = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var day = now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var row = await history.ComplianceHistory.FirstOrDefaultAsync(r => r.VendorId == vendorId && r.Day == day, ct);
        if (row?.Status == status)
        {
            return;
        }
        // The status it changes from: today's so far, else the last day's on record.
        var previous = row?.Status ?? (await history.ComplianceHistory.AsNoTracking().Where(r => r.VendorId == vendorId && string.Compare(r.Day, day) < 0)
            .OrderByDescending(r => r.Day).Select(r => r.Status).FirstOrDefaultAsync(ct));
        if (row is null)
        {
            history.ComplianceHistory.Add(new ComplianceRecord { VendorId = vendorId, Day = day, Status = status });
        }
        else
        {
            row.Status = status;
        }
        if (previous != status && (previous is not null || status != ComplianceStatus.Unassessed))
        {
            Webhooks.WebhookEvents.Publish(history, Webhooks.WebhookEvents.ComplianceChanged, vendorId, new { vendorId, status, previous }, now);
        }
        try
        {
            await history.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
        }
    }

    /// <summary>The recurring job: every vendor assessed once a day, so the history has no gaps.</summary>
    public async Task AssessAllAsync()
    {
        foreach (var vendor in await db.Vendors.AsNoTracking().Select(v => v.Id).ToListAsync())
        {
            await AssessAsync(vendor, CancellationToken.None);
        }
    }

    public async Task<IReadOnlyList<ComplianceDay>> HistoryAsync(Guid vendorId, int days, CancellationToken ct)
    {
        var from = time.Now().UtcDateTime.AddDays(-days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return (await db.ComplianceHistory.AsNoTracking().Where(r => r.VendorId == vendorId && string.Compare(r.Day, from) >= 0).ToListAsync(ct))
            .OrderBy(r => r.Day, StringComparer.Ordinal).Select(r => new ComplianceDay(r.Day, r.Status)).ToList();
    }
}

public sealed record ComplianceDay(string Day, string Status);

public static class ComplianceSetup
{
    public static IServiceCollection AddCompliance(this IServiceCollection services)
    {
        services.AddOptions<ComplianceOptions>().BindConfiguration(ComplianceOptions.Section)
            .Validate(o => o.Enforcement is "refuse" or "warn", "VendorGate:Compliance:Enforcement is 'refuse' or 'warn'")
            .Validate(o => o.Requirements.All(CompliancePolicy.AllRequirements.Contains),
                $"VendorGate:Compliance:Requirements are among {string.Join(", ", CompliancePolicy.AllRequirements)}")
            .ValidateOnStart();
        services.AddScoped<ComplianceService>();
        services.AddScoped<VendorReport>();
        return services;
    }

    public const string DailyJobId = "assess-vendor-compliance";

    public static void ScheduleCompliance(this IServiceProvider services) =>
        services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<ComplianceService>(DailyJobId, compliance => compliance.AssessAllAsync(), Cron.Daily());
}
