using System.Text.Json;
using Json.Schema;

namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>The official CycloneDX 1.6 and SPDX 3.0.1 JSON schemas shipped in <c>schemas/</c>, with formats checked:
/// the errors of a document against them (none when valid).</summary>
public static class BomSchemas
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "schemas");
    private static readonly Lazy<JsonSchema> CycloneDx = new(() =>
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        // bom-1.6 refers to these two by their $id, relative to its own.
        JsonSchema.FromFile(Path.Combine(Root, "cyclonedx-1.6", "spdx.schema.json"), options);
        JsonSchema.FromFile(Path.Combine(Root, "cyclonedx-1.6", "jsf-0.82.schema.json"), options);
        return JsonSchema.FromFile(Path.Combine(Root, "cyclonedx-1.6", "bom-1.6.schema.json"), options);
    });
    private static readonly Lazy<JsonSchema> Spdx = new(() =>
        JsonSchema.FromFile(Path.Combine(Root, "spdx-3.0.1", "spdx-json-schema.json"), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    public static List<string> CycloneDxErrors(byte[] document) => Errors(CycloneDx.Value, document);

    public static List<string> SpdxErrors(byte[] document) => Errors(Spdx.Value, document);

    private static List<string> Errors(JsonSchema schema, byte[] document)
    {
        using var json = JsonDocument.Parse(document);
        var results = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        return results.IsValid ? [] : (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}")).Take(20).ToList();
    }
}
