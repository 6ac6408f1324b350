using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Identity;

/// <summary>The embedded Gateway waiting one second, not thirty, for SQLite's writer.</summary>
public sealed class ImpatientEmbeddedGateway : EmbeddedGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings) { ["VendorGate:SqliteBusyTimeout"] = "00:00:01" };
}

/// <summary>SQLite has one writer: while a long write holds it (a scan of a million examples), a request must not fail
/// because authentication wanted to mark its key used, and a request that must write is told to come back (503), not
/// given a 500.</summary>
public sealed class BusyDatabaseTests(ImpatientEmbeddedGateway app) : IClassFixture<ImpatientEmbeddedGateway>
{
    private readonly Actors _actors = new(app);

    /// <summary>Runs <paramref name="request"/> while another connection holds SQLite's write lock.</summary>
    private async Task<HttpResponseMessage> WhileLockedAsync(Func<Task<HttpResponseMessage>> request)
    {
        await using var writer = new SqliteConnection($"Data Source={Path.Combine(app.DataDir, "vendorgate.db")}");
        await writer.OpenAsync();
        await using var hold = writer.CreateCommand();
        hold.CommandText = "BEGIN IMMEDIATE";
        await hold.ExecuteNonQueryAsync();
        try
        {
            return await request();
        }
        finally
        {
            hold.CommandText = "ROLLBACK";
            await hold.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task AWriteWhileAnotherWriterHoldsTheDatabaseIsAnsweredBusyAndLeavesNothing()
    {
        var name = Actors.Unique("vendor");
        var body = new { name, jurisdiction = "DE", contactEmail = "ops@example.com" };

        var busy = await WhileLockedAsync(() => _actors.Admin.PostAsJsonAsync("/v1/vendors", body));
        var listed = await _actors.Admin.GetStringAsync("/v1/vendors?limit=500");
        var again = await _actors.Admin.PostAsJsonAsync("/v1/vendors", body);

        await busy.AssertProblem(HttpStatusCode.ServiceUnavailable, "database-busy");
        Assert.Equal("5", busy.Headers.RetryAfter?.Delta?.TotalSeconds.ToString());
        Assert.DoesNotContain(name, listed);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task ARequestWhileAnotherWriterHoldsTheDatabaseIsServedAndItsKeyMarkedUsedLater()
    {
        var vendor = await _actors.NewVendorAsync();
        var (staffId, staff) = await _actors.NewStaffAsync("auditor"); // a key never used: the next request marks it

        var whileBusy = await WhileLockedAsync(() => staff.GetAsync("/v1/me"));
        var afterwards = await staff.GetAsync($"/v1/vendors/{vendor.VendorId}");
        var keys = await _actors.Admin.Typed().ListKeysAsync(staffId);

        Assert.Equal(HttpStatusCode.OK, whileBusy.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        Assert.NotNull(Assert.Single(keys).LastUsedAt);
    }
}
