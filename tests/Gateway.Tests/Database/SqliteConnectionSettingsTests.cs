using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Tests.Database;

public sealed class SqliteConnectionSettingsTests
{
    [Fact]
    public async Task Every_connection_opened_waits_for_the_write_lock_and_checkpoints_its_log_as_configured()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vg-busy-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new SqliteVendorGateDb(new DbContextOptionsBuilder<SqliteVendorGateDb>()
                .UseSqlite($"Data Source={file}").AddInterceptors(new SqliteConnectionSettings(TimeSpan.FromSeconds(7), walCheckpointPages: 12_345)).Options);
            async Task<(long, long)> SettingsAsync()
            {
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "PRAGMA busy_timeout";
                var busyTimeout = (long)(await command.ExecuteScalarAsync())!;
                command.CommandText = "PRAGMA wal_autocheckpoint";
                return (busyTimeout, (long)(await command.ExecuteScalarAsync())!);
            }

            await db.Database.OpenConnectionAsync();
            Assert.Equal((7_000, 12_345), await SettingsAsync());
            await db.Database.CloseConnectionAsync();
            db.Database.OpenConnection();
            Assert.Equal((7_000, 12_345), await SettingsAsync());
            await db.Database.CloseConnectionAsync();

            await using var plain = new SqliteConnection($"Data Source={file};Pooling=False"); // not a pooled connection the interceptor saw
            await plain.OpenAsync();
            await using var unset = plain.CreateCommand();
            unset.CommandText = "PRAGMA busy_timeout";
            Assert.NotEqual(7_000L, (long)(await unset.ExecuteScalarAsync())!); // the interceptor set it, not the driver
            unset.CommandText = "PRAGMA wal_autocheckpoint";
            Assert.Equal((long)SqliteConnectionSettings.SqliteDefaultWalCheckpointPages, (long)(await unset.ExecuteScalarAsync())!);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
