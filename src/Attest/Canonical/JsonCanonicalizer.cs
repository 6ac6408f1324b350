using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace VendorGate.Attest.Canonical;

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): members sorted by their UTF-16 code units,
/// no insignificant white space, strings escaped minimally, numbers in ECMAScript
/// <c>Number.prototype.toString</c> form. Input must be I-JSON (RFC 7493).
/// </summary>
public static class JsonCanonicalizer
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Canonicalizes one UTF-8 JSON text.</summary>
    /// <exception cref="JsonCanonicalizationException">The text is not valid I-JSON.</exception>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        var buffer = new CanonicalJsonBuffer(utf8Json.Length + 16);
        Canonicalize(utf8Json, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Canonicalizes one UTF-8 JSON text, appending to <paramref name="destination"/>.</summary>
    /// <exception cref="JsonCanonicalizationException">The text is not valid I-JSON.</exception>
    public static void Canonicalize(ReadOnlySpan<byte> utf8Json, CanonicalJsonBuffer destination)
    {
        using var document = Parse(utf8Json);
        Write(document.RootElement, destination);
    }

    /// <summary>Parses UTF-8 JSON after checking the whole text is valid UTF-8.</summary>
    /// <exception cref="JsonCanonicalizationException">Invalid UTF-8 or invalid JSON.</exception>
    public static JsonDocument Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (!Utf8.IsValid(utf8Json))
        {
            throw new JsonCanonicalizationException("not valid UTF-8");
        }
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
        JsonDocument document;
        try
        {
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new JsonCanonicalizationException(
                e.BytePositionInLine is { } at ? $"not valid JSON at byte {at}" : "not valid JSON");
        }
        if (HasTrailingContent(ref reader))
        {
            document.Dispose();
            throw new JsonCanonicalizationException("more than one JSON value");
        }
        return document;
    }

    // ParseValue stops after the first value; anything but white space after it is an error.
    private static bool HasTrailingContent(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (JsonException)
        {
            return true;
        }
    }

    /// <summary>Writes the canonical form of a parsed JSON value.</summary>
    /// <exception cref="JsonCanonicalizationException">The value is not I-JSON.</exception>
    public static void Write(JsonElement element, CanonicalJsonBuffer destination)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(element, destination);
                break;
            case JsonValueKind.Array:
                WriteArray(element, destination);
                break;
            case JsonValueKind.String:
                WriteString(element, destination);
                break;
            case JsonValueKind.Number:
                JcsNumber.Write(element, destination);
                break;
            case JsonValueKind.True:
                destination.Write("true"u8);
                break;
            case JsonValueKind.False:
                destination.Write("false"u8);
                break;
            case JsonValueKind.Null:
                destination.Write("null"u8);
                break;
            default:
                throw new JsonCanonicalizationException($"unexpected JSON value kind {element.ValueKind}");
        }
    }

    private static void WriteArray(JsonElement array, CanonicalJsonBuffer destination)
    {
        destination.Write((byte)'[');
        var first = true;
        foreach (var item in array.EnumerateArray())
        {
            if (!first)
            {
                destination.Write((byte)',');
            }
            first = false;
            Write(item, destination);
        }
        destination.Write((byte)']');
    }

    private static void WriteObject(JsonElement obj, CanonicalJsonBuffer destination)
    {
        var rented = ArrayPool<JsonProperty>.Shared.Rent(Math.Max(obj.GetPropertyCount(), 1));
        try
        {
            var count = 0;
            var asciiNames = true;
            foreach (var property in obj.EnumerateObject())
            {
                rented[count++] = property;
                asciiNames &= IsPlainAscii(JsonMarshal.GetRawUtf8PropertyName(property));
            }
            var members = rented.AsSpan(0, count);
            SortMembers(members, asciiNames);

            destination.Write((byte)'{');
            for (var i = 0; i < members.Length; i++)
            {
                if (i > 0)
                {
                    destination.Write((byte)',');
                }
                var raw = JsonMarshal.GetRawUtf8PropertyName(members[i]);
                if (raw.IndexOf((byte)'\\') < 0)
                {
                    destination.Write((byte)'"');
                    destination.Write(raw);
                    destination.Write((byte)'"');
                }
                else
                {
                    WriteString(members[i].Name, destination);
                }
                destination.Write((byte)':');
                Write(members[i].Value, destination);
            }
            destination.Write((byte)'}');
        }
        finally
        {
            ArrayPool<JsonProperty>.Shared.Return(rented, clearArray: true);
        }
    }

    // RFC 8785 orders members by the UTF-16 code units of their names. For unescaped ASCII names that is the
    // byte order of their raw UTF-8, which needs no string; anything else compares the decoded names.
    private static void SortMembers(Span<JsonProperty> members, bool asciiNames)
    {
        if (asciiNames)
        {
            members.Sort(static (a, b) => JsonMarshal.GetRawUtf8PropertyName(a).SequenceCompareTo(JsonMarshal.GetRawUtf8PropertyName(b)));
            for (var i = 1; i < members.Length; i++)
            {
                if (JsonMarshal.GetRawUtf8PropertyName(members[i - 1]).SequenceEqual(JsonMarshal.GetRawUtf8PropertyName(members[i])))
                {
                    throw new JsonCanonicalizationException($"duplicate member name \"{members[i].Name}\"");
                }
            }
            return;
        }
        var names = new string[members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            names[i] = members[i].Name;
        }
        names.AsSpan().Sort(members, string.CompareOrdinal);
        for (var i = 1; i < names.Length; i++)
        {
            if (names[i - 1] == names[i])
            {
                throw new JsonCanonicalizationException($"duplicate member name \"{names[i]}\"");
            }
        }
    }

    private static bool IsPlainAscii(ReadOnlySpan<byte> raw) =>
        !raw.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E) && raw.IndexOf((byte)'\\') < 0;

    private static void WriteString(JsonElement element, CanonicalJsonBuffer destination)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var content = raw[1..^1];
        if (content.IndexOf((byte)'\\') < 0)
        {
            // Valid JSON without escapes holds neither '"' nor control characters: already canonical.
            destination.Write(raw);
            return;
        }
        string value;
        try
        {
            value = element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new JsonCanonicalizationException("string holds a lone surrogate escape");
        }
        WriteString(value, destination);
    }

    private static void WriteString(string value, CanonicalJsonBuffer destination)
    {
        if (HasLoneSurrogate(value))
        {
            throw new JsonCanonicalizationException("string holds a lone surrogate");
        }
        destination.Write((byte)'"');
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': destination.Write("\\\""u8); continue;
                case '\\': destination.Write("\\\\"u8); continue;
                case '\b': destination.Write("\\b"u8); continue;
                case '\f': destination.Write("\\f"u8); continue;
                case '\n': destination.Write("\\n"u8); continue;
                case '\r': destination.Write("\\r"u8); continue;
                case '\t': destination.Write("\\t"u8); continue;
            }
            if (rune.Value < 0x20)
            {
                destination.Write("\\u00"u8);
                destination.Write((byte)"0123456789abcdef"[rune.Value >> 4]);
                destination.Write((byte)"0123456789abcdef"[rune.Value & 0xF]);
                continue;
            }
            var n = rune.EncodeToUtf8(utf8);
            destination.Write(utf8[..n]);
        }
        destination.Write((byte)'"');
    }

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return true;
                }
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return true;
            }
        }
        return false;
    }
}
