using Microsoft.Extensions.Configuration;
using Npgsql;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Tests.Database;

public sealed class PostgresConnectionTests
{
    private static NpgsqlConnectionStringBuilder Opened(string? configured) => new(PostgresConnection.FromConfiguration(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = configured }).Build()));

    [Fact]
    public void Statements_are_prepared_and_connections_not_reset_unless_the_operator_says_otherwise()
    {
        var defaulted = Opened("Host=db.internal;Database=vendorgate;Username=vendorgate;Password=secret");
        Assert.Equal(64, defaulted.MaxAutoPrepare);
        Assert.True(defaulted.NoResetOnClose);
        Assert.Equal(("db.internal", "vendorgate", "secret"), (defaulted.Host, defaulted.Database, defaulted.Password));

        var chosen = Opened("Host=db.internal;Max Auto Prepare=0;NoResetOnClose=false");
        Assert.Equal(0, chosen.MaxAutoPrepare);
        Assert.False(chosen.NoResetOnClose);
    }

    [Fact]
    public void No_connection_string_means_the_embedded_default() =>
        Assert.Null(PostgresConnection.FromConfiguration(new ConfigurationBuilder().Build()));
}
