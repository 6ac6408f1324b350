using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace VendorGate.Gateway.Storage;

/// <summary>Has SQLite itself wait for its write lock (<c>PRAGMA busy_timeout</c>, on every connection opened): it retries
/// within a millisecond or so of the lock coming free. Without it the driver (Microsoft.Data.Sqlite) sees SQLITE_BUSY and
/// retries on its own schedule, sleeping 150 ms each time: under load (many uploads and scans writing at once) every
/// small scan paid a few of those sleeps.</summary>
public sealed class SqliteBusyWait(TimeSpan timeout) : DbConnectionInterceptor
{
    private readonly string _pragma = $"PRAGMA busy_timeout = {(long)timeout.TotalMilliseconds};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
