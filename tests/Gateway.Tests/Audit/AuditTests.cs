using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Audit;

public abstract class AuditTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    [Fact]
    public async Task EveryWriteIsChainedAndAttributedToTheKeysPrincipal()
    {
        var (auditorId, auditor) = await _actors.NewStaffAsync("auditor");
        var vendor = await _actors.NewVendorAsync();

        var entries = await ReadAllAsync(auditor);
        var verify = await auditor.GetOk("/v1/audit/verify");

        var create = entries.Last(e => e.GetProperty("action").GetString() == "vendor.create");
        Assert.Equal($"vendor:{vendor.VendorId}", create.GetProperty("target").GetString());
        Assert.Equal(vendor.Name, create.GetProperty("details").GetProperty("Name").GetString());
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "staff.create" && e.GetProperty("target").GetString() == $"principal:{auditorId}");
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.Equal(entries[i - 1].GetProperty("hash").GetString(), entries[i].GetProperty("prevHash").GetString());
        }
        Assert.True(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(entries.Count, verify.GetProperty("entries").GetInt64());
        Assert.Equal(entries[^1].GetProperty("hash").GetString(), verify.GetProperty("head").GetString());
    }

    [Fact]
    public async Task VerifyDetectsAnEditedRow()
    {
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        await _actors.NewVendorAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var victim = await db.AuditEntries.AsNoTracking().OrderByDescending(a => a.Seq).Skip(1).FirstAsync();

        await db.AuditEntries.Where(a => a.Seq == victim.Seq).ExecuteUpdateAsync(s => s.SetProperty(a => a.Actor, "principal:someone-else"));
        try
        {
            var verify = await auditor.GetOk("/v1/audit/verify");

            Assert.False(verify.GetProperty("valid").GetBoolean());
            Assert.Equal(victim.Seq, verify.GetProperty("firstInvalidSeq").GetInt64());
            Assert.Contains("altered", verify.GetProperty("reason").GetString());
        }
        finally
        {
            await db.AuditEntries.Where(a => a.Seq == victim.Seq).ExecuteUpdateAsync(s => s.SetProperty(a => a.Actor, victim.Actor));
        }
        Assert.True((await auditor.GetOk("/v1/audit/verify")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task VerifyDetectsADeletedRow()
    {
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        await _actors.NewVendorAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var victim = await db.AuditEntries.AsNoTracking().OrderByDescending(a => a.Seq).Skip(1).FirstAsync();

        await db.AuditEntries.Where(a => a.Seq == victim.Seq).ExecuteDeleteAsync();
        try
        {
            var verify = await auditor.GetOk("/v1/audit/verify");

            Assert.False(verify.GetProperty("valid").GetBoolean());
            Assert.Equal(victim.Seq + 1, verify.GetProperty("firstInvalidSeq").GetInt64());
            Assert.Contains($"entry {victim.Seq} is missing", verify.GetProperty("reason").GetString());
        }
        finally
        {
            db.AuditEntries.Add(victim);
            await db.SaveChangesAsync();
        }
        Assert.True((await auditor.GetOk("/v1/audit/verify")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task ConcurrentWritesNeverForkTheChain()
    {
        var (_, auditor) = await _actors.NewStaffAsync("auditor");

        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _actors.NewVendorAsync()));

        var verify = await auditor.GetOk("/v1/audit/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.ToString());
    }

    [Fact]
    public async Task VendorsCannotReadTheAuditLog()
    {
        var vendor = await _actors.NewVendorAsync();

        var response = await vendor.Annotator.GetAsync("/v1/audit/verify");

        await response.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    private static async Task<List<System.Text.Json.JsonElement>> ReadAllAsync(HttpClient client)
    {
        var all = new List<System.Text.Json.JsonElement>();
        long after = 0;
        while (true)
        {
            var page = await client.GetOk($"/v1/audit?after={after}&limit=500");
            all.AddRange(page.GetProperty("items").EnumerateArray());
            if (page.GetProperty("next").ValueKind == System.Text.Json.JsonValueKind.Null)
            {
                return all;
            }
            after = page.GetProperty("next").GetInt64();
        }
    }
}

public sealed class AuditOnEmbedded(EmbeddedGateway app) : AuditTests<EmbeddedGateway>(app);

public sealed class AuditOnProduction(ProductionGateway app) : AuditTests<ProductionGateway>(app);
