using System.Text.Json;
using System.Text.Json.Nodes;
using VendorGate.Attest.Canonical;

namespace VendorGate.Attest.Dsse;

/// <summary>One subject of a statement: a name and its SHA-256 digest (lower-case hex).</summary>
public sealed record Subject(string Name, string Sha256);

/// <summary>An in-toto Statement v1, serialized as RFC 8785 canonical JSON.</summary>
public sealed record Statement(IReadOnlyList<Subject> Subjects, string PredicateType, JsonNode Predicate)
{
    /// <summary>The in-toto statement type.</summary>
    public const string Type = "https://in-toto.io/Statement/v1";

    /// <summary>Canonical JSON bytes, the DSSE payload.</summary>
    public byte[] ToCanonicalJson()
    {
        var node = new JsonObject
        {
            ["_type"] = Type,
            ["subject"] = new JsonArray(Subjects.Select(s => (JsonNode)new JsonObject
            {
                ["name"] = s.Name,
                ["digest"] = new JsonObject { ["sha256"] = s.Sha256 },
            }).ToArray()),
            ["predicateType"] = PredicateType,
            ["predicate"] = Predicate.DeepClone(),
        };
        return JsonCanonicalizer.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(node));
    }

    /// <summary>Parses a statement payload.</summary>
    /// <exception cref="FormatException">Not an in-toto Statement v1.</exception>
    public static Statement Parse(ReadOnlySpan<byte> payload)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(payload);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the payload is not JSON: {e.Message}");
        }
        if (node?["_type"]?.GetValue<string>() != Type)
        {
            throw new FormatException($"the payload is not an in-toto statement ({Type})");
        }
        var subjects = node["subject"]?.AsArray().Select(s => new Subject(
            s?["name"]?.GetValue<string>() ?? "", s?["digest"]?["sha256"]?.GetValue<string>() ?? "")).ToList() ?? [];
        return new Statement(subjects, node["predicateType"]?.GetValue<string>() ?? "", node["predicate"]?.DeepClone() ?? new JsonObject());
    }
}
