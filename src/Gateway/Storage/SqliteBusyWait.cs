using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace VendorGate.Gateway.Storage;

/// <summary>Has SQLite itself wait for its write lock (its busy timeout, set on every connection opened): it retries
/// within a millisecond or so of the lock coming free. Without it the driver (Microsoft.Data.Sqlite) sees SQLITE_BUSY and
/// retries on its own schedule, sleeping 150 ms each time: under load (many uploads and scans writing at once) every
/// small scan paid a few of those sleeps. Set through the C API (what <c>PRAGMA busy_timeout</c> calls), not a statement
/// parsed and run on every open.</summary>
public sealed class SqliteBusyWait(TimeSpan timeout) : DbConnectionInterceptor
{
    private readonly int _milliseconds = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);

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
    }
}
