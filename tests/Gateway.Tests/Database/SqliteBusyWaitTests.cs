using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Tests.Database;

public sealed class SqliteBusyWaitTests
{
    [Fact]
    public async Task Every_connection_opened_waits_for_the_write_lock_as_long_as_configured()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vg-busy-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new SqliteVendorGateDb(new DbContextOptionsBuilder<SqliteVendorGateDb>()
                .UseSqlite($"Data Source={file}").AddInterceptors(new SqliteBusyWait(TimeSpan.FromSeconds(7))).Options);
            async Task<long> BusyTimeoutAsync()
            {
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "PRAGMA busy_timeout";
                return (long)(await command.ExecuteScalarAsync())!;
            }

            await db.Database.OpenConnectionAsync();
            Assert.Equal(7_000, await BusyTimeoutAsync());
            await db.Database.CloseConnectionAsync();
            db.Database.OpenConnection();
            Assert.Equal(7_000, await BusyTimeoutAsync());
            await db.Database.CloseConnectionAsync();

            await using var plain = new SqliteConnection($"Data Source={file};Pooling=False"); // not a pooled connection the interceptor saw
            await plain.OpenAsync();
            await using var unset = plain.CreateCommand();
            unset.CommandText = "PRAGMA busy_timeout";
            Assert.NotEqual(7_000L, (long)(await unset.ExecuteScalarAsync())!); // the interceptor set it, not the driver
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
