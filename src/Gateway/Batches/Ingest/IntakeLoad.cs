using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Batches.Ingest;

/// <summary>Admission on what this process is receiving now. Every upload in progress shares the same cores, so when a
/// crowd arrives at once (every vendor's pipeline after a Gateway restart) each upload slows with the crowd's size and
/// all finish late together. So a create is refused with 503 <c>intake-busy</c> and <c>Retry-After: 1</c> while
/// <see cref="IngestOptions.MaxInFlight"/> uploads are in progress or about to start here: those admitted finish
/// promptly and the rest come back in turn. Counted: each create in progress, each batch whose content is arriving (a
/// body, or a session's blocks and commit: the blocks a session sends at once are one upload), and each party (a vendor,
/// or a staff contributor) with a batch created here and not yet uploaded, for <see cref="Reserved"/> after the create
/// at most: a party's batch created is its next upload, and a party that opens several batches before sending them sends
/// them one after another or counts for each it sends at once (so creating batches and sending nothing holds one place,
/// briefly). Nothing is created by a refusal, so the retry (with the same idempotency key) is safe; a replayed create
/// and every upload to a batch already open are never refused, so work once admitted is not held up.
/// <para>Slow start: a fresh process runs its first uploads several times slower than a warm one (its code compiled and
/// optimized under the load, its caches empty), so the limit grows from 1 to <see cref="IngestOptions.MaxInFlight"/>
/// over <see cref="IngestOptions.SlowStart"/> from the process's first intake, as load balancers ramp up a new host.</para></summary>
public sealed class IntakeLoad(IOptions<VendorGateOptions> options, TimeProvider time)
{
    /// <summary>How long an admitted create holds its place waiting for its upload.</summary>
    public static readonly TimeSpan Reserved = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, int> _arriving = []; // requests in progress by batch (a create: a key of its own)
    private readonly Dictionary<Guid, (Guid Party, DateTimeOffset Until)> _reserved = [];
    private DateTimeOffset? _firstIntake;

    /// <summary>Uploads in progress or about to start here: creates in progress, batches whose content is arriving, and
    /// the parties with a batch created and not yet uploaded.</summary>
    public int Receiving
    {
        get
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                foreach (var (batch, reservation) in _reserved)
                {
                    if (reservation.Until <= now)
                    {
                        _reserved.Remove(batch);
                    }
                }
                return _arriving.Count + _reserved.Values.Select(r => r.Party).Distinct().Count();
            }
        }
    }

    /// <summary>Creates and uploads (bodies, blocks, commits) in progress here, each request counted.</summary>
    public int Requests
    {
        get
        {
            lock (_gate)
            {
                return _arriving.Values.Sum();
            }
        }
    }

    /// <summary>Null when a new batch is admitted; else the 503 to answer, with <c>Retry-After</c> set on
    /// <paramref name="response"/>. Asked from within a counted create, which does not count against itself.</summary>
    public ProblemHttpResult? Refusal(HttpResponse response)
    {
        var max = Limit(options.Value.Ingest.MaxInFlight, time.GetUtcNow() - FirstIntake(), options.Value.Ingest.SlowStart);
        var others = Receiving - 1;
        if (max <= 0 || others < max)
        {
            return null;
        }
        const int retryAfter = 1;
        response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return Problems.Create(503, "intake-busy",
            $"This Gateway is receiving {others} uploads at once, as many as it finishes promptly ({max}); nothing was created: retry after {retryAfter} s.",
            new Dictionary<string, object?> { ["receiving"] = others, ["maxInFlight"] = max, ["retryAfterSeconds"] = retryAfter });
    }

    /// <summary>The limit <paramref name="running"/> after the first intake: from 1 (a limit at all) up to
    /// <paramref name="max"/> in even steps over <paramref name="slowStart"/>; 0 (no limit) stays 0.</summary>
    public static int Limit(int max, TimeSpan running, TimeSpan slowStart) =>
        max <= 0 || running >= slowStart ? max : Math.Clamp((int)Math.Ceiling(max * running / slowStart), 1, max);

    private DateTimeOffset FirstIntake()
    {
        lock (_gate)
        {
            return _firstIntake ??= time.GetUtcNow();
        }
    }

    /// <summary>The batch just created holds its party's place until its upload starts, or <see cref="Reserved"/>.</summary>
    public void Reserve(Guid batchId, Guid party)
    {
        lock (_gate)
        {
            _reserved[batchId] = (party, time.GetUtcNow() + Reserved);
        }
    }

    private void Enter(Guid key, bool upload)
    {
        lock (_gate)
        {
            _arriving[key] = _arriving.GetValueOrDefault(key) + 1;
            if (upload)
            {
                _reserved.Remove(key);
            }
        }
    }

    private void Leave(Guid key)
    {
        lock (_gate)
        {
            if (--_arriving[key] == 0)
            {
                _arriving.Remove(key);
            }
        }
    }

    /// <summary>Counts the create or upload it filters as in progress for as long as its handler runs (a streamed body is
    /// read within it); an upload takes over its batch's place.</summary>
    public sealed class Counted(IntakeLoad load) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var batch = context.HttpContext.Request.RouteValues["batchId"] is string id && Guid.TryParse(id, out var batchId) ? batchId : (Guid?)null;
            var key = batch ?? Guid.NewGuid();
            load.Enter(key, upload: batch is not null);
            try
            {
                return await next(context);
            }
            finally
            {
                load.Leave(key);
            }
        }
    }
}
