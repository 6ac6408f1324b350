using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace VendorGate.Gateway.Storage;

/// <summary>What every connection to the embedded database is set to as it opens, through SQLite's C API (not a
/// statement parsed and run on every open).
/// <para>Its busy timeout: SQLite itself waits for its write lock, retrying within a millisecond or so of the lock coming
/// free. Without it the driver (Microsoft.Data.Sqlite) sees SQLITE_BUSY and retries on its own schedule, sleeping 150 ms
/// each time: under load (many uploads and scans writing at once) every small scan paid a few of those sleeps.</para>
/// <para>How many pages the write-ahead log takes before a commit checkpoints it into the database
/// (<c>VendorGate:SqliteWalCheckpointPages</c>). SQLite's 1,000 (4 MB) checkpointed every few small scans under load,
/// each copying the index pages the scans had just written; at 20,000 (80 MB of log at most) a page written again and
/// again between checkpoints is copied once: 50 vendors × 30 s on the embedded default scanned 17.9 / 17.9 batches/s
/// against 16.5 / 14.8 and accepted 848 / 844 against 780 / 704 (<c>bash scripts/bench.sh load</c>, two pairs).
/// Commits still reach the disk (the log is synced as before); only the copy into the database waits.</para></summary>
public sealed class SqliteConnectionSettings(TimeSpan busyTimeout, int walCheckpointPages = SqliteConnectionSettings.SqliteDefaultWalCheckpointPages) : DbConnectionInterceptor
{
    public const int SqliteDefaultWalCheckpointPages = 1000;

    private readonly int _milliseconds = (int)Math.Min(int.MaxValue, busyTimeout.TotalMilliseconds);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        var handle = ((SqliteConnection)connection).Handle;
        SqliteException.ThrowExceptionForRC(SQLitePCL.raw.sqlite3_busy_timeout(handle, _milliseconds), handle);
        SqliteException.ThrowExceptionForRC(SQLitePCL.raw.sqlite3_wal_autocheckpoint(handle, walCheckpointPages), handle);
    }
}
