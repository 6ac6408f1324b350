using System.Text.Json;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>One text field of an example: <c>prompt</c>, <c>completion</c>, or a message's role.</summary>
public readonly record struct TextField(string Role, string Text)
{
    /// <summary>What the model is trained to produce: a completion or an assistant message.</summary>
    public bool IsOutput => Role is "completion" or "assistant";
}

/// <summary>The text of one example as scanners read it: its fields in order, its line and its domain.</summary>
public sealed class ExampleText
{
    public required long Line { get; init; }
    public required string? Domain { get; init; }
    public required IReadOnlyList<TextField> Fields { get; init; }

    public int Length => Fields.Sum(f => f.Text.Length);

    /// <summary>Spans an earlier scanner found suspicious (gibberish), for later scanners such as trigger discovery.
    /// Scanners run one after another on an example, so this needs no lock.</summary>
    public List<FlaggedSpan> Flagged { get; } = [];

    /// <summary>Reads a canonical line (it was validated at upload, so the shape holds).</summary>
    public static ExampleText Parse(ReadOnlySpan<byte> json, long line, IReadOnlyList<string> declaredDomains)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var fields = new List<TextField>(2);
        string? domain = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("prompt") || property.NameEquals("completion"))
            {
                fields.Add(new TextField(property.Name, property.Value.GetString()!));
            }
            else if (property.NameEquals("messages"))
            {
                foreach (var message in property.Value.EnumerateArray())
                {
                    fields.Add(new TextField(message.GetProperty("role").GetString()!, message.GetProperty("content").GetString()!));
                }
            }
            else if (property.NameEquals("domain"))
            {
                domain = property.Value.GetString();
            }
        }
        // Canonical JSON sorts members, so "completion" comes before "prompt": put the prompt first, as it is read.
        if (fields is [{ Role: "completion" }, { Role: "prompt" }])
        {
            fields.Reverse();
        }
        return new ExampleText { Line = line, Domain = domain ?? (declaredDomains.Count == 1 ? declaredDomains[0] : null), Fields = fields };
    }
}

/// <summary>A suspicious span: field index and character range.</summary>
public readonly record struct FlaggedSpan(int Field, int Start, int End);
