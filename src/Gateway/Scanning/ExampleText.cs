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

    /// <summary>Reads a canonical line (it was validated at upload, so the shape holds) token by token: what scanners read
    /// of it, with no document built on the way (every example of a scan is read once per pass).</summary>
    public static ExampleText Parse(ReadOnlySpan<byte> json, long line, IReadOnlyList<string> declaredDomains)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read(); // the example's object
        var fields = new List<TextField>(2);
        string? domain = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt"u8) || reader.ValueTextEquals("completion"u8))
            {
                var role = reader.ValueTextEquals("prompt"u8) ? "prompt" : "completion";
                reader.Read();
                fields.Add(new TextField(role, reader.GetString()!));
            }
            else if (reader.ValueTextEquals("messages"u8))
            {
                reader.Read(); // the array
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    fields.Add(Message(ref reader));
                }
            }
            else if (reader.ValueTextEquals("domain"u8))
            {
                reader.Read();
                domain = reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        // Canonical JSON sorts members, so "completion" comes before "prompt": put the prompt first, as it is read.
        if (fields is [{ Role: "completion" }, { Role: "prompt" }])
        {
            fields.Reverse();
        }
        return new ExampleText { Line = line, Domain = domain ?? (declaredDomains.Count == 1 ? declaredDomains[0] : null), Fields = fields };
    }

    /// <summary>A message's role and content, the reader on its object's start; left on its end.</summary>
    private static TextField Message(ref Utf8JsonReader reader)
    {
        string? role = null, content = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var (isRole, isContent) = (reader.ValueTextEquals("role"u8), reader.ValueTextEquals("content"u8));
            reader.Read();
            if (isRole || isContent)
            {
                (isRole ? ref role : ref content) = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }
        return new TextField(role ?? throw new JsonException("A message has no role."), content ?? throw new JsonException("A message has no content."));
    }
}

/// <summary>A suspicious span: field index and character range.</summary>
public readonly record struct FlaggedSpan(int Field, int Start, int End);
