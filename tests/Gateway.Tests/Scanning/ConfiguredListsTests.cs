using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>A list configured for an option replaces its default (configuration binding appends to an array it finds,
/// so a default in the property would stay in force): the licences allowed, the compliance requirements evaluated.</summary>
public abstract class ConfiguredListsTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    public static readonly Dictionary<string, string?> Narrow = new()
    {
        ["VendorGate:Scan:Licenses:Allow:0"] = "MIT",
        ["VendorGate:Compliance:Requirements:0"] = "dpa",
    };

    [Fact]
    public async Task AConfiguredAllowListReplacesTheDefaultOne()
    {
        var vendor = await _actors.NewVendorAsync();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id; // CC-BY-4.0: allowed by default, not by this Gateway
        (await vendor.Annotator.UploadAsync(batch, HttpExtensions.Lines(new { prompt = Actors.Unique("p"), completion = "An answer." }))).EnsureSuccessStatusCode();

        var scanned = await vendor.Annotator.WaitForScanAsync(batch);

        var finding = Assert.Single(scanned.Findings, f => f.Code == "license-unknown");
        Assert.Equal("block", finding.Severity);
        Assert.Contains("CC-BY-4.0", finding.Evidence);
    }

    [Fact]
    public async Task AConfiguredRequirementListReplacesAllOfThem()
    {
        var vendor = await _actors.NewVendorAsync();

        var report = await (await _actors.ProcurementAsync()).Typed().GetComplianceAsync(vendor.VendorId);

        Assert.Equal(["dpa"], report.Requirements.Select(r => r.Id));
    }
}

public sealed class NarrowListsEmbeddedGateway : EmbeddedGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings.Concat(ConfiguredListsTests<EmbeddedGateway>.Narrow));
}

public sealed class NarrowListsProductionGateway : ProductionGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings.Concat(ConfiguredListsTests<EmbeddedGateway>.Narrow));
}

public sealed class ConfiguredListsOnEmbedded(NarrowListsEmbeddedGateway app) : ConfiguredListsTests<NarrowListsEmbeddedGateway>(app);

public sealed class ConfiguredListsOnProduction(NarrowListsProductionGateway app) : ConfiguredListsTests<NarrowListsProductionGateway>(app);
