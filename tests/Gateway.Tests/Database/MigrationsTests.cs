using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Tests.Database;

/// <summary>The Gateway migrates on start without diffing its model against the migrations (a start-up cost); this
/// is that check, once per provider: a model change without its migration fails here.</summary>
public sealed class MigrationsTests
{
    [Fact]
    public void The_SQLite_migrations_describe_the_model()
    {
        using var db = new SqliteVendorGateDb(new DbContextOptionsBuilder<SqliteVendorGateDb>().UseSqlite("Data Source=:memory:").Options);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), "the SQLite model has changes no migration makes: dotnet ef migrations add <Name> --project src/Gateway --context SqliteVendorGateDb --output-dir Storage/Migrations/Sqlite");
    }

    [Fact]
    public void The_PostgreSQL_migrations_describe_the_model()
    {
        using var db = new PostgresVendorGateDb(new DbContextOptionsBuilder<PostgresVendorGateDb>().UseNpgsql("Host=localhost;Database=never-opened").Options);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), "the PostgreSQL model has changes no migration makes: dotnet ef migrations add <Name> --project src/Gateway --context PostgresVendorGateDb --output-dir Storage/Migrations/Postgres");
    }
}
