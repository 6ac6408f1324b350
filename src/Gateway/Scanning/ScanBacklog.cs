using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Scanning;

/// <summary>How much scanning may wait before new batches are turned away.</summary>
public sealed class ScanBacklogOptions
{
    public const string Section = "VendorGate:Scan:Backlog";

    /// <summary>New batches are refused (503 with <c>Retry-After</c>) while the examples received and not yet scanned
    /// would take longer than this to scan at the recent rate; 0 never refuses.</summary>
    public double MaxSeconds { get; set; } = 20;

    /// <summary>The rate assumed while too few scans finished recently to measure one (a fresh Gateway, a queue that was
    /// idle), and the least one measured counts as: with no worker running, the backlog still has a bound.</summary>
    public double MinExamplesPerSecond { get; set; } = 2_000;
}

/// <summary>What waits to be scanned, in all and by party (a vendor; a staff contributor on their own), how fast scans
/// have been finishing, and how many examples a batch has had lately (of those scanned or waiting; 0 when there are none).</summary>
public sealed record ScanBacklogState(long WaitingExamples, int WaitingBatches, double ExamplesPerSecond, double MeanBatchExamples,
    IReadOnlyDictionary<Guid, long> WaitingByParty)
{
    /// <summary>How long what waits takes to scan at the recent rate.</summary>
    public double Seconds => WaitingExamples / ExamplesPerSecond;
}

/// <summary>Back-pressure on intake. A batch is worth nothing to anyone until it is scanned and reviewed, and two cores
/// scan on the order of 10,000 examples a second, a few times less than they receive: left alone, a busy intake builds
/// a queue of scans minutes long that only grows (50 vendors for a minute left five minutes of scanning behind them).
/// So a create is refused with 503 and <c>Retry-After</c> (problem <c>scans-behind</c>) while the examples received and
/// not yet scanned would take more than <see cref="ScanBacklogOptions.MaxSeconds"/> to scan at the rate scans finished
/// recently; nothing is created, so the retry (with the same idempotency key, as the CLI sends) is always safe. Uploads
/// to batches already open are never refused. The measure reads the database, so every Gateway process sees the same
/// queue, whichever processes scan; it is read at most once a second per process, and the creates a process admits
/// in between count as batches of the mean size, so a crowd of vendors coming back at once does not all get in on one
/// stale reading.
/// <para>Over the limit, a party (a vendor, or a staff contributor) whose own waiting examples are under an equal share of
/// it (the limit divided among the parties with batches waiting, the caller counted) is still admitted: one vendor's
/// flood (a million examples is a minute and more of scanning) turns away that vendor, not everyone. The shares add up to
/// the limit, so the whole exceeds it only by what parties already hold beyond their share. They get in at the pace the
/// scanners drain, a second of scanning per reading (per process): every vendor whose batch was just scanned is under its
/// share on the same reading, and 200 of them came back in waves of 180 without it.</para></summary>
public sealed class ScanBacklog(IServiceScopeFactory scopes, IOptions<ScanBacklogOptions> options, TimeProvider time)
{
    /// <summary>How long a measure serves before it is read again.</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);

    /// <summary>Scans finished longer ago than this say nothing about the rate now.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    /// <summary>The longest <c>Retry-After</c> given. The time until the backlog is under the limit again is only as good as
    /// the rate measured (a fresh Gateway assumes the least rate), so clients come back soon and are told again; a refusal
    /// costs a cached comparison.</summary>
    public const int MaxRetryAfterSeconds = 5;

    private const int RecentScans = 200;

    private readonly Lock _gate = new();
    private Measure? _last;

    /// <summary>A reading of the database, and the creates this process admitted since, in all and by party.</summary>
    private sealed class Measure(DateTimeOffset at, Task<ScanBacklogState> state)
    {
        public DateTimeOffset At => at;
        public Task<ScanBacklogState> State => state;
        public int Admitted;
        public int AdmittedOverLimit;
        public readonly ConcurrentDictionary<Guid, int> AdmittedBy = new();
    }

    /// <summary>The reading at most <see cref="Fresh"/> old, taken now if there is none.</summary>
    private Measure Current()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_last is not { } last || now - last.At >= Fresh || now < last.At || last.State.IsFaulted) // a clock set back reads again too
            {
                _last = last = new Measure(now, MeasureAsync(now));
            }
            return last;
        }
    }

    /// <summary>The backlog as last read from the database (at most <see cref="Fresh"/> ago).</summary>
    public Task<ScanBacklogState> CurrentAsync() => Current().State;

    /// <summary>Null when a new batch of <paramref name="party"/> (its vendor; else the principal) is admitted; else the
    /// 503 to answer, with <c>Retry-After</c> set on <paramref name="response"/>.</summary>
    public async Task<ProblemHttpResult?> RefusalAsync(Guid party, HttpResponse response)
    {
        var max = options.Value.MaxSeconds;
        if (max <= 0)
        {
            return null;
        }
        // The backlog now, as far as this process knows: the reading, and the batches admitted since at the mean size.
        var measure = Current();
        var reading = await measure.State;
        var rate = reading.ExamplesPerSecond;
        var seconds = (reading.WaitingExamples + Volatile.Read(ref measure.Admitted) * reading.MeanBatchExamples) / rate;
        var own = (reading.WaitingByParty.GetValueOrDefault(party) + measure.AdmittedBy.GetValueOrDefault(party) * reading.MeanBatchExamples) / rate;
        var parties = reading.WaitingByParty.Count + measure.AdmittedBy.Keys.Count(p => !reading.WaitingByParty.ContainsKey(p))
            + (reading.WaitingByParty.ContainsKey(party) || measure.AdmittedBy.ContainsKey(party) ? 0 : 1);
        var share = max / parties;
        // Over the limit, those under their share get in at the pace the scanners drain: a reading's worth of scanning
        // a reading (else every vendor whose batch was just scanned comes in on the same second, a wave).
        if (seconds <= max || own < share && Volatile.Read(ref measure.AdmittedOverLimit) * reading.MeanBatchExamples / rate < Fresh.TotalSeconds)
        {
            Interlocked.Increment(ref measure.Admitted);
            measure.AdmittedBy.AddOrUpdate(party, 1, (_, n) => n + 1);
            if (seconds > max)
            {
                Interlocked.Increment(ref measure.AdmittedOverLimit);
            }
            return null;
        }
        var retryAfter = (int)Math.Clamp(Math.Ceiling(Math.Min(seconds - max, own - share)), 1, MaxRetryAfterSeconds);
        response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return Problems.Create(503, "scans-behind",
            $"{reading.WaitingExamples:N0} examples in {reading.WaitingBatches:N0} batches wait to be scanned, about {seconds:N0} s at the recent "
            + $"{rate:N0} examples/s (new batches wait while it is over {max:N0} s), {own:N1} s of them yours (an equal share is "
            + $"{share:N1} s among {parties} submitters waiting); nothing was created: retry after {retryAfter} s.",
            new Dictionary<string, object?>
            {
                ["waitingExamples"] = reading.WaitingExamples, ["waitingBatches"] = reading.WaitingBatches,
                ["yourWaitingExamples"] = reading.WaitingByParty.GetValueOrDefault(party),
                ["examplesPerSecond"] = Math.Round(rate), ["retryAfterSeconds"] = retryAfter,
            });
    }

    private async Task<ScanBacklogState> MeasureAsync(DateTimeOffset now)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var waiting = await db.Batches.AsNoTracking().Where(b => b.Status == BatchStatus.Received || b.Status == BatchStatus.Scanning)
            .Select(b => new { Party = b.VendorId ?? b.SubmitterId, Count = b.Count ?? 0, Scanned = b.ScannedExamples ?? 0 }).ToListAsync();
        // The newest batches that were scanned (v7 ids: newest first; SQLite cannot order DateTimeOffset): their sizes say
        // what batches are like, those finished recently what the scanners do (after a restart, sizes but no rate).
        var scanned = (await db.Batches.AsNoTracking().Where(b => b.ScannedAt != null).OrderByDescending(b => b.Id).Take(RecentScans)
            .Select(b => new { b.ScannedAt, b.Count }).ToListAsync()).Select(b => (ScannedAt: b.ScannedAt!.Value, Count: b.Count ?? 0)).ToList();
        var sizes = waiting.Select(w => w.Count).Concat(scanned.Select(s => s.Count)).ToList();
        var byParty = waiting.GroupBy(w => w.Party).ToDictionary(g => g.Key, g => g.Sum(w => Math.Max(w.Count - w.Scanned, 0)));
        return new ScanBacklogState(byParty.Values.Sum(), waiting.Count,
            Math.Max(Rate(scanned.Where(b => now - b.ScannedAt <= Window).ToList()), options.Value.MinExamplesPerSecond), sizes.Count == 0 ? 0 : sizes.Average(),
            byParty);
    }

    /// <summary>Examples scanned a second between the first and the last of <paramref name="scans"/> finishing (the
    /// first's examples were scanned before that span began); 0 when fewer than three finished or within a second. While
    /// a queue waits, scans finish back to back, so this is what the scanners can do.</summary>
    public static double Rate(IReadOnlyList<(DateTimeOffset ScannedAt, long Examples)> scans)
    {
        if (scans.Count < 3)
        {
            return 0;
        }
        var ordered = scans.OrderBy(s => s.ScannedAt).ToList();
        var span = (ordered[^1].ScannedAt - ordered[0].ScannedAt).TotalSeconds;
        return span < 1 ? 0 : ordered.Skip(1).Sum(s => s.Examples) / span;
    }
}
