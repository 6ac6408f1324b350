using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VendorGate.Client;
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
        var verify = await auditor.GetOk<AuditVerificationView>("/v1/audit/verify");

        var create = entries.Last(e => e.Action == "vendor.create");
        Assert.Equal($"vendor:{vendor.VendorId}", create.Target);
        Assert.Equal(vendor.Name, create.Details.GetProperty("Name").GetString()); // details are free-form per action
        Assert.Contains(entries, e => e.Action == "staff.create" && e.Target == $"principal:{auditorId}");
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.Equal(entries[i - 1].Hash, entries[i].PrevHash);
        }
        Assert.True(verify.Valid);
        Assert.Equal(entries.Count, verify.Entries);
        Assert.Equal(entries[^1].Hash, verify.Head);
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
            var verify = await auditor.GetOk<AuditVerificationView>("/v1/audit/verify");

            Assert.False(verify.Valid);
            Assert.Equal(victim.Seq, verify.FirstInvalidSeq);
            Assert.Contains("altered", verify.Reason);
        }
        finally
        {
            await db.AuditEntries.Where(a => a.Seq == victim.Seq).ExecuteUpdateAsync(s => s.SetProperty(a => a.Actor, victim.Actor));
        }
        Assert.True((await auditor.GetOk<AuditVerificationView>("/v1/audit/verify")).Valid);
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
            var verify = await auditor.GetOk<AuditVerificationView>("/v1/audit/verify");

            Assert.False(verify.Valid);
            Assert.Equal(victim.Seq + 1, verify.FirstInvalidSeq);
            Assert.Contains($"entry {victim.Seq} is missing", verify.Reason);
        }
        finally
        {
            db.AuditEntries.Add(victim);
            await db.SaveChangesAsync();
        }
        Assert.True((await auditor.GetOk<AuditVerificationView>("/v1/audit/verify")).Valid);
    }

    [Fact]
    public async Task ConcurrentWritesNeverForkTheChain()
    {
        var (_, auditor) = await _actors.NewStaffAsync("auditor");

        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _actors.NewVendorAsync()));

        var verify = await auditor.GetOk<AuditVerificationView>("/v1/audit/verify");
        Assert.True(verify.Valid, verify.ToString());
    }

    [Fact]
    public async Task VendorsCannotReadTheAuditLog()
    {
        var vendor = await _actors.NewVendorAsync();

        var response = await vendor.Annotator.GetAsync("/v1/audit/verify");

        await response.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    private static Task<List<AuditEntryView>> ReadAllAsync(HttpClient client) => client.Typed().ListAllAuditAsync().ToListAsync().AsTask();
}

public sealed class AuditOnEmbedded(EmbeddedGateway app) : AuditTests<EmbeddedGateway>(app);

public sealed class AuditOnProduction(ProductionGateway app) : AuditTests<ProductionGateway>(app);
