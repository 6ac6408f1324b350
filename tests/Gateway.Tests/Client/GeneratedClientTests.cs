using System.Reflection;
using System.Text.Json;
using VendorGate.Client;

namespace VendorGate.Gateway.Tests.Client;

/// <summary>src/Client/Generated.cs is what <see cref="ClientGenerator"/> writes from the committed OpenAPI document, so
/// the typed client has a method for every operation and a record for every schema. To refresh it after the document
/// changed: bash scripts/generate-client.sh</summary>
public sealed class GeneratedClientTests
{
    private static readonly string Root = OpenApiDocumentTests.RepositoryRoot();

    [Fact]
    public void The_committed_client_is_what_the_committed_OpenAPI_document_generates()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "openapi", "vendorgate.v1.json")));
        var generated = ClientGenerator.Generate(document.RootElement);
        var path = Path.Combine(Root, "src", "Client", "Generated.cs");
        if (Environment.GetEnvironmentVariable("VG_UPDATE_CLIENT") == "1")
        {
            File.WriteAllText(path, generated);
        }
        Assert.True(generated == File.ReadAllText(path), "src/Client/Generated.cs differs from what openapi/vendorgate.v1.json generates; run bash scripts/generate-client.sh and commit it");
    }

    [Fact]
    public void Every_operation_of_the_document_has_a_client_method_and_every_method_an_operation()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "openapi", "vendorgate.v1.json")));
        var documented = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}")).ToHashSet();
        var methods = typeof(VendorGateClient).GetMethods().Select(m => m.GetCustomAttribute<OperationAttribute>()).OfType<OperationAttribute>()
            .Select(o => $"{o.Method} {o.Path}").ToHashSet();
        Assert.Equal(102, documented.Count); // a guard that the document was read, not an empty set compared with another
        Assert.Empty(documented.Except(methods));
        Assert.Empty(methods.Except(documented));
    }
}
