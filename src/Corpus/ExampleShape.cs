using System.Runtime.InteropServices;
using System.Text.Json;

namespace VendorGate.Corpus;

/// <summary>What one NDJSON line must be: <c>{"prompt", "completion"}</c> or <c>{"messages": [{"role", "content"}, …]}</c>,
/// with optional <c>domain</c> (one of the batch's declared domains) and <c>metadata</c> (an object).</summary>
public static class ExampleShape
{
    private static readonly string[] Roles = ["system", "user", "assistant", "tool"];

    /// <returns>Null when the example is well formed, else the reason.</returns>
    /// <param name="example">The parsed line.</param>
    /// <param name="declaredDomains">The batch's declared domains, in order.</param>
    /// <param name="domain">The index of the line's <c>domain</c> in <paramref name="declaredDomains"/>, or -1 when it has none.</param>
    public static string? Check(JsonElement example, IReadOnlyList<string> declaredDomains, out int domain)
    {
        domain = -1;
        if (example.ValueKind != JsonValueKind.Object)
        {
            return $"a line must be a JSON object, not {Describe(example.ValueKind)}";
        }
        bool prompt = false, completion = false, messages = false;
        foreach (var property in example.EnumerateObject())
        {
            // NameEquals compares the raw UTF-8 name: no string per property on the ingest hot path.
            var problem =
                property.NameEquals("prompt") ? Text(property.Value, "prompt", ref prompt)
                : property.NameEquals("completion") ? Text(property.Value, "completion", ref completion)
                : property.NameEquals("messages") ? Messages(property.Value, ref messages)
                : property.NameEquals("domain") ? Domain(property.Value, declaredDomains, out domain)
                : property.NameEquals("metadata") ? (property.Value.ValueKind == JsonValueKind.Object ? null : "\"metadata\" must be an object")
                : $"unknown field \"{property.Name}\" (put extra data under \"metadata\")";
            if (problem is not null)
            {
                return problem;
            }
        }
        return (prompt, completion, messages) switch
        {
            (true, true, false) or (false, false, true) => null,
            (_, _, true) => "use either \"messages\" or \"prompt\"/\"completion\", not both",
            (true, false, _) => "missing \"completion\"",
            (false, true, _) => "missing \"prompt\"",
            _ => "missing \"prompt\"/\"completion\" or \"messages\"",
        };
    }

    private static string? Text(JsonElement value, string name, ref bool seen)
    {
        seen = true;
        return NonEmptyString(value) ? null : $"\"{name}\" must be a non-empty string";
    }

    private static string? Messages(JsonElement value, ref bool seen)
    {
        seen = true;
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            return "\"messages\" must be a non-empty array";
        }
        var i = 0;
        foreach (var message in value.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                return $"messages[{i}] must be an object";
            }
            if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String || !EqualsAny(role, Roles))
            {
                return $"messages[{i}].role must be one of system, user, assistant, tool";
            }
            if (!message.TryGetProperty("content", out var content) || !NonEmptyString(content))
            {
                return $"messages[{i}].content must be a non-empty string";
            }
            foreach (var property in message.EnumerateObject())
            {
                if (!property.NameEquals("role") && !property.NameEquals("content") && !property.NameEquals("name") && !property.NameEquals("weight"))
                {
                    return $"messages[{i}] has unknown field \"{property.Name}\"";
                }
            }
            i++;
        }
        return null;
    }

    private static string? Domain(JsonElement value, IReadOnlyList<string> declaredDomains, out int domain)
    {
        domain = -1;
        if (value.ValueKind != JsonValueKind.String)
        {
            return "\"domain\" must be a string";
        }
        for (var i = 0; i < declaredDomains.Count; i++)
        {
            if (value.ValueEquals(declaredDomains[i]))
            {
                domain = i;
                return null;
            }
        }
        return $"domain \"{value.GetString()}\" is not among the batch's declaredDomains";
    }

    // Without LINQ: this runs for every line, and a closure per call shows in the ingest benchmark.
    private static bool EqualsAny(JsonElement value, IEnumerable<string> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (value.ValueEquals(candidate))
            {
                return true;
            }
        }
        return false;
    }

    // Runs for every prompt, completion and message: decode the string only when its raw form cannot decide.
    private static bool NonEmptyString(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        var raw = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        var visible = raw.IndexOfAnyInRange((byte)'!', (byte)'~');
        if (visible >= 0 && raw[visible] != (byte)'\\')
        {
            return true; // a printable ASCII character that does not start an escape
        }
        return !string.IsNullOrWhiteSpace(value.GetString());
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
