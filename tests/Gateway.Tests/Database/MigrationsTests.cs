using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Tests.Database;

/// <summary>The Gateway migrates on start without diffing its model against the migrations (a start-up cost); this
/// is that check, once per provider: a model change without its migration fails here.</summary>
public sealed class MigrationsTests
{
    private static string Unmigrated(string context, string folder) =>
        $"the {context} model has changes no migration makes: dotnet ef migrations add <Name> --project src/Gateway --context {context} --output-dir Storage/Migrations/{folder}";

    [Fact]
    public void The_SQLite_migrations_describe_the_model()
    {
        using var db = new SqliteVendorGateDb(new DbContextOptionsBuilder<SqliteVendorGateDb>().UseSqlite("Data Source=:memory:").Options);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), Unmigrated(nameof(SqliteVendorGateDb), "Sqlite"));
    }

    [Fact]
    public void The_PostgreSQL_migrations_describe_the_model()
    {
        using var db = new PostgresVendorGateDb(new DbContextOptionsBuilder<PostgresVendorGateDb>().UseNpgsql("Host=localhost;Database=never-opened").Options);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), Unmigrated(nameof(PostgresVendorGateDb), "Postgres"));
    }
}
