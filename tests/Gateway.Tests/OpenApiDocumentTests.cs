using System.Text.Json;
using System.Text.Json.Nodes;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests;

/// <summary>The committed openapi/vendorgate.v1.json must be what the Gateway generates.
/// To refresh it after changing an endpoint: VG_UPDATE_OPENAPI=1 bash scripts/test.sh</summary>
public sealed class OpenApiDocumentTests(EmbeddedGateway app) : IClassFixture<EmbeddedGateway>
{
    [Fact]
    public async Task CommittedDocumentMatchesTheGeneratedOne()
    {
        var generated = JsonNode.Parse(await app.ClientFor(null).GetStringAsync("/openapi/v1.json"))!
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var path = Path.Combine(RepositoryRoot(), "openapi", "vendorgate.v1.json");

        if (Environment.GetEnvironmentVariable("VG_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, generated);
        }

        Assert.True(File.Exists(path), $"{path} is missing; run VG_UPDATE_OPENAPI=1 bash scripts/test.sh");
        Assert.True(generated == await File.ReadAllTextAsync(path),
            "openapi/vendorgate.v1.json differs from what the Gateway generates; run VG_UPDATE_OPENAPI=1 bash scripts/test.sh and commit it");
        var document = JsonNode.Parse(generated)!;
        foreach (var (route, operations) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in operations!.AsObject())
            {
                var responses = operation!["responses"]!.AsObject().Select(r => r.Key).ToList();
                Assert.True(responses.Any(r => r.StartsWith('2')), $"{method} {route} documents no success response");
                Assert.True(route.StartsWith("/healthz") || responses.Any(r => r.StartsWith('4') || r.StartsWith('5')),
                    $"{method} {route} documents no error response");
            }
        }
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VendorGate.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("VendorGate.sln not found above " + AppContext.BaseDirectory);
    }
}
