using System.Net;
using Microsoft.Data.Sqlite;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Identity;

/// <summary>SQLite has one writer: while a long write holds it (a scan of a million examples), a request must not fail
/// because authentication wanted to mark its key used.</summary>
public sealed class BusyDatabaseTests(EmbeddedGateway app) : IClassFixture<EmbeddedGateway>
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task ARequestWhileAnotherWriterHoldsTheDatabaseIsServedAndItsKeyMarkedUsedLater()
    {
        var vendor = await _actors.NewVendorAsync();
        var (staffId, staff) = await _actors.NewStaffAsync("auditor"); // a key never used: the next request marks it

        HttpResponseMessage whileBusy;
        await using (var writer = new SqliteConnection($"Data Source={Path.Combine(app.DataDir, "vendorgate.db")}"))
        {
            await writer.OpenAsync();
            await using var hold = writer.CreateCommand();
            hold.CommandText = "BEGIN IMMEDIATE";
            await hold.ExecuteNonQueryAsync();
            whileBusy = await staff.GetAsync("/v1/me");
            hold.CommandText = "ROLLBACK";
            await hold.ExecuteNonQueryAsync();
        }
        var afterwards = await staff.GetAsync($"/v1/vendors/{vendor.VendorId}");
        var keys = await _actors.Admin.Typed().ListKeysAsync(staffId);

        Assert.Equal(HttpStatusCode.OK, whileBusy.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        Assert.NotNull(Assert.Single(keys).LastUsedAt);
    }
}
