using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace VendorGate.Gateway.Storage;

// Used only by `dotnet ef migrations add`; the connection strings are never opened.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteVendorGateDb>
{
    public SqliteVendorGateDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteVendorGateDb>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresVendorGateDb>
{
    public PostgresVendorGateDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresVendorGateDb>().UseNpgsql("Host=localhost;Database=design").Options);
}
