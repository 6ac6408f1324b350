using System.Data.Common;
using Npgsql;

namespace VendorGate.Gateway.Storage;

/// <summary>The connection string Entity Framework opens: <c>ConnectionStrings:Postgres</c> with two Npgsql settings
/// defaulted (an operator's own value wins). Hangfire gets the string as configured (its job fetcher <c>LISTEN</c>s on
/// pooled connections, which the pool's reset clears).</summary>
public static class PostgresConnection
{
    /// <summary>The metadata database's, or null for the embedded default (SQLite).</summary>
    /// <remarks><c>Max Auto Prepare</c> 64: the Gateway sends a few dozen statements over and over (the API-key lookup is
    /// every request), so each is parsed and planned once per physical connection, not on every use.
    /// <c>No Reset On Close</c>: a connection goes back to its pool without the <c>DISCARD ALL</c> (with prepared
    /// statements, seven statements) that would run before its next use; Entity Framework opens and closes a connection
    /// for every query, and the Gateway leaves no session state behind (the snapshot cut's advisory lock is released in
    /// the scope that took it). Together: a third fewer statements reach the server in the suite's production tier.</remarks>
    public static string? FromConfiguration(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("Postgres");
        if (string.IsNullOrEmpty(configured))
        {
            return null;
        }
        // Npgsql's builder knows every keyword (its ContainsKey is true for any): the plain parser says what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = configured }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(configured);
        if (!written.Contains("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }
        if (!written.Contains("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }
        return builder.ConnectionString;
    }
}
