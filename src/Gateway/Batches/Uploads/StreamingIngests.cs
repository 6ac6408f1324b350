using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches.Uploads;

/// <summary>
/// Upload sessions ingested while their blocks arrive, as the single <c>PUT</c> ingests its body while it arrives, so
/// that a commit has only the last lines left to read. The first block stored starts the session's
/// <see cref="IngestRun"/> over a <see cref="BlockFeed"/>, which reads the stored blocks in order as they come.
/// <para>An optimisation only, never the record: a block is fed as it is being stored, but a commit names only the
/// blocks stored, and a commit that finds no run here (the Gateway restarted, another instance took the blocks, more than
/// <c>VendorGate:Ingest:StreamingSessions</c> were running) or one that read a block since sent again with other
/// bytes ingests the stored blocks from the start, to the same outcome. A block among the next few the run will read is
/// read from its request's memory rather than from its blob (<see cref="BlockFeed.TryHold"/>), so blocks sent in
/// order, a few in flight, are written once and never read back.</para>
/// </summary>
public sealed class StreamingIngests(ContentIngest ingest, IBlobStore blobs, IOptions<VendorGateOptions> options, TimeProvider time,
    ILogger<StreamingIngests> logger)
{
    private readonly ConcurrentDictionary<Guid, Streaming> _running = new();

    /// <summary>A session's run, the feed that is its body (the run disposes it), and when it was last fed.</summary>
    private sealed class Streaming(BlockFeed feed, IngestRun run, DateTimeOffset now)
    {
        private long _lastFed = now.UtcTicks; // written by concurrent block requests

        public BlockFeed Feed => feed;
        public IngestRun Run => run;
        public DateTimeOffset LastFed => new(Volatile.Read(ref _lastFed), TimeSpan.Zero);

        public void Fed(DateTimeOffset now) => Volatile.Write(ref _lastFed, now.UtcTicks);
    }

    /// <summary>A run not fed for this long is stopped, well before <c>VendorGate:Blob:StagingMaxAge</c> would take
    /// the blobs it is writing as abandoned.</summary>
    private TimeSpan IdleLimit => options.Value.Blob.StagingMaxAge / 4;

    /// <summary>How many blocks of the session its run here has read, or null when none runs here.</summary>
    internal int? BlocksRead(Guid sessionId) => _running.TryGetValue(sessionId, out var streaming) ? streaming.Feed.BlocksRead : null;

    /// <summary>A request has begun to receive block <paramref name="number"/> of <paramref name="session"/>: the
    /// session's run (started here when there is none and there is room) may hold the blocks after it meanwhile. Null
    /// when no run is here; otherwise dispose it when the request ends.</summary>
    internal async Task<IDisposable?> ArrivingAsync(UploadSession session, Batch batch, int number, VendorGateDb db, CancellationToken ct) =>
        await RunOfAsync(session, batch, db, ct) is { } streaming ? streaming.Feed.Arriving(number) : null;

    /// <summary>A block of <paramref name="session"/> passed its digest check and its <paramref name="bytes"/> are at
    /// hand, not stored yet: held for the session's run (started here when there is none and there is room) when it is
    /// among the next blocks the run will read, so the run reads it from the bytes while the caller stores it. Null when
    /// it is not held: the caller stores it, then calls <see cref="BlockStoredAsync"/>; otherwise
    /// <see cref="LetGoAsync"/>.</summary>
    internal async Task<BlockFeed.HeldBlock?> HoldAsync(UploadSession session, Batch batch, StoredBlock block, ReadOnlyMemory<byte> bytes, VendorGateDb db,
        CancellationToken ct)
    {
        if (await RunOfAsync(session, batch, db, ct) is not { } streaming)
        {
            return null;
        }
        streaming.Fed(time.GetUtcNow());
        return streaming.Feed.TryHold(block, bytes);
    }

    /// <summary>How long a held block waits for its turn (a block before it is missing, say) before it is read from its
    /// blob instead and its request answered: in-order blocks wait for the few ahead of them, well under a second.</summary>
    private static readonly TimeSpan HoldPatience = TimeSpan.FromSeconds(10);

    /// <summary>Returns once the run is done with a held block's bytes: it read them, or it had not begun to after
    /// <see cref="HoldPatience"/> and reads the block from its blob when <paramref name="stored"/>, or storing the block
    /// failed and it is let go at once.</summary>
    internal Task LetGoAsync(BlockFeed.HeldBlock held, bool stored) =>
        held.Feed.LetGoAsync(held, stored, stored ? HoldPatience : TimeSpan.Zero, time);

    /// <summary>A block of <paramref name="session"/> that was not held has been stored: offered to the session's run
    /// (read from its blob when its turn comes), or the run started (reading the blocks stored so far) when there is
    /// none and there is room.</summary>
    internal async Task BlockStoredAsync(UploadSession session, Batch batch, StoredBlock block, VendorGateDb db, CancellationToken ct)
    {
        if (await RunOfAsync(session, batch, db, ct) is { } streaming)
        {
            streaming.Fed(time.GetUtcNow());
            streaming.Feed.Offer(block);
        }
    }

    /// <summary>The session's run here, started when there is none and there is room (null when there is not).</summary>
    private async Task<Streaming?> RunOfAsync(UploadSession session, Batch batch, VendorGateDb db, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_running.TryGetValue(session.Id, out var streaming))
        {
            return streaming;
        }
        await StopIdleAsync(now);
        if (_running.Count >= options.Value.Ingest.StreamingSessions)
        {
            return null;
        }
        var feed = new BlockFeed(blobs);
        var run = await ingest.StartAsync(batch, session.Decode(feed), CancellationToken.None);
        streaming = new Streaming(feed, run, now);
        if (!_running.TryAdd(session.Id, streaming))
        {
            await streaming.Run.DisposeAsync(); // another block of the session started one first
            return _running.GetValueOrDefault(session.Id);
        }
        // A run that ends early (invalid lines, a failed write) reads no more: the requests holding blocks for it go on.
        _ = run.Ended.ContinueWith(_ => feed.StopHolding(), TaskScheduler.Default);
        // Read after publishing the run: a block stored meanwhile is either listed here or offered to the run.
        foreach (var stored in await db.Set<UploadBlock>().AsNoTracking().Where(b => b.SessionId == session.Id).ToListAsync(ct))
        {
            feed.Offer(StoredBlock.Of(stored));
        }
        logger.LogDebug("Ingesting upload session {Session} of batch {Batch} as its blocks arrive", session.Id, batch.Id);
        return streaming;
    }

    /// <summary>The session's run, ended after <paramref name="blocks"/> (the commit's), when one is here and what it read
    /// is their beginning; otherwise null (and any run here is stopped).</summary>
    internal async Task<IngestRun?> TakeAsync(Guid sessionId, IReadOnlyList<StoredBlock> blocks)
    {
        if (!_running.TryRemove(sessionId, out var streaming))
        {
            return null;
        }
        if (streaming.Feed.End(blocks) && !streaming.Run.Failed)
        {
            return streaming.Run;
        }
        logger.LogInformation("Upload session {Session}: its streaming ingest failed or read a block sent again since; ingesting the blocks from the start", sessionId);
        await streaming.Run.DisposeAsync();
        return null;
    }

    /// <summary>Stops the runs of sessions that are no longer open (abandoned, expired, or committed elsewhere) and
    /// of those not fed for a while (their commits ingest the stored blocks).</summary>
    internal async Task StopAllButAsync(IReadOnlySet<Guid> open)
    {
        foreach (var id in _running.Keys.Where(id => !open.Contains(id)).ToList())
        {
            await StopAsync(id);
        }
        await StopIdleAsync(time.GetUtcNow());
    }

    private async Task StopIdleAsync(DateTimeOffset now)
    {
        foreach (var (id, _) in _running.Where(r => now - r.Value.LastFed > IdleLimit).ToList())
        {
            await StopAsync(id);
        }
    }

    internal async Task StopAsync(Guid sessionId)
    {
        if (_running.TryRemove(sessionId, out var streaming))
        {
            await streaming.Run.DisposeAsync();
        }
    }
}
