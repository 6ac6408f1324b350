using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using VendorGate.Attest.Digests;

namespace VendorGate.Gateway.Exports;

/// <summary>Who is accountable for every example of one batch: the provenance columns of its rows (as blame gives it).</summary>
public sealed record RowProvenance(Guid BatchId, Guid AnnotatorId, string AnnotatorHandle, Guid? VendorId, string? VendorName,
    string License, string Source, DateTimeOffset SubmittedAt, string FirstSnapshot)
{
    internal readonly ReadOnlyMemory<char> BatchText = BatchId.ToString().AsMemory();
    internal readonly ReadOnlyMemory<char> AnnotatorText = AnnotatorId.ToString().AsMemory();
    internal readonly ReadOnlyMemory<char>? VendorText = VendorId?.ToString().AsMemory();
}

/// <summary>
/// The columns of an exported row: the example as it was submitted (prompt/completion, or messages as a list of
/// structs; domain; metadata as its canonical JSON text), then its provenance. Strings are UTF-8, nullable as Arrow's
/// defaults are; <c>submitted_at</c> is a UTC timestamp in milliseconds.
/// </summary>
public static class ExportSchema
{
    public static readonly DataField<long> Index = new("index");
    public static readonly DataField<string> Digest = new("digest");
    public static readonly DataField<string> Prompt = new("prompt");
    public static readonly DataField<string> Completion = new("completion");
    public static readonly DataField<string> Role = new("role");
    public static readonly DataField<string> Content = new("content");
    public static readonly DataField<string> Name = new("name");
    public static readonly DataField<double?> Weight = new("weight");
    public static readonly ListField Messages = new("messages", new StructField(ListField.ElementName, Role, Content, Name, Weight));
    public static readonly DataField<string> Domain = new("domain");
    public static readonly DataField<string> Metadata = new("metadata");
    public static readonly DataField<string> BatchId = new("batch_id");
    public static readonly DataField<int> Line = new("line");
    public static readonly DataField<string> AnnotatorId = new("annotator_id");
    public static readonly DataField<string> AnnotatorHandle = new("annotator_handle");
    public static readonly DataField<string> VendorId = new("vendor_id");
    public static readonly DataField<string> VendorName = new("vendor_name");
    public static readonly DataField<string> License = new("license");
    public static readonly DataField<string> Source = new("source");
    public static readonly DateTimeDataField SubmittedAt = new("submitted_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, DateTimeTimeUnit.Millis);
    public static readonly DataField<string> FirstSnapshot = new("first_snapshot");

    public static readonly ParquetSchema Schema = new(Index, Digest, Prompt, Completion, Messages, Domain, Metadata,
        BatchId, Line, AnnotatorId, AnnotatorHandle, VendorId, VendorName, License, Source, SubmittedAt, FirstSnapshot);

    /// <summary>Each column and what it holds: the dataset card's table and the statement's.</summary>
    public static readonly (string Name, string Type, string Meaning)[] Columns =
    [
        ("index", "int64", "the example's position in the snapshot (GET /v1/snapshots/{version}/examples/{index})"),
        ("digest", "string", "sha256 over the example's canonical JSON (RFC 8785): its identity"),
        ("prompt", "string", "the prompt, for a prompt/completion example"),
        ("completion", "string", "the completion, for a prompt/completion example"),
        ("messages", "list<struct<role, content, name, weight: double>>", "the conversation, for a messages example"),
        ("domain", "string", "the example's domain in the snapshot's signed domain table"),
        ("metadata", "string", "the example's metadata object as canonical JSON text"),
        ("batch_id", "string", "the batch it was submitted in"),
        ("line", "int32", "its zero-based line in that batch"),
        ("annotator_id", "string", "the principal who submitted the batch"),
        ("annotator_handle", "string", "that principal's handle"),
        ("vendor_id", "string", "the annotator's vendor (null for internal and synthetic batches)"),
        ("vendor_name", "string", "the vendor's name"),
        ("license", "string", "the batch's declared licence (SPDX expression)"),
        ("source", "string", "vendor, internal or synthetic"),
        ("submitted_at", "timestamp[ms, UTC]", "when the batch was opened"),
        ("first_snapshot", "string", "the first snapshot the batch entered"),
    ];
}

/// <summary>The rows of one row group being gathered: columns that grow, and the characters their strings point into.
/// Reset and reused, so a shard allocates its buffers once.</summary>
internal sealed class RowGroupBuffer
{
    private readonly CharArena chars = new();
    private readonly Column<long> index = new();
    private readonly Column<ReadOnlyMemory<char>?> digest = new(), prompt = new(), completion = new(), domain = new(), metadata = new(),
        batchId = new(), annotatorId = new(), annotatorHandle = new(), vendorId = new(), vendorName = new(), license = new(),
        source = new(), firstSnapshot = new();
    private readonly Column<int> line = new();
    private readonly Column<DateTime> submittedAt = new();

    // messages: one entry per message (or one per row without messages); role and content are always present.
    private readonly Column<ReadOnlyMemory<char>> roles = new(), contents = new(), names = new();
    private readonly Column<double> weights = new();
    private readonly Column<int> repetitions = new(), messageLevels = new(), nameLevels = new(), weightLevels = new();
    private static readonly int Present = ExportSchema.Role.MaxDefinitionLevel, FieldMissing = ExportSchema.Name.MaxDefinitionLevel - 1;

    private const string DigestPrefix = "sha256:";

    public int Count => index.Count;

    /// <summary>Bytes of example text gathered (the row group is written when it reaches its target).</summary>
    public long TextBytes { get; private set; }

    public void Add(long rowIndex, ReadOnlySpan<byte> json, in ManifestRecord record, RowProvenance provenance, ReadOnlyMemory<char>? rowDomain)
    {
        index.Add(rowIndex);
        var hex = chars.Reserve(DigestPrefix.Length + 64);
        DigestPrefix.CopyTo(hex);
        Convert.TryToHexStringLower(record.Digest, hex[DigestPrefix.Length..], out _);
        digest.Add(chars.Commit(hex.Length));
        ParseExample(json);
        domain.Add(rowDomain);
        batchId.Add(provenance.BatchText);
        line.Add(record.Line);
        annotatorId.Add(provenance.AnnotatorText);
        annotatorHandle.Add(provenance.AnnotatorHandle.AsMemory());
        vendorId.Add(provenance.VendorText);
        vendorName.Add(provenance.VendorName?.AsMemory());
        license.Add(provenance.License.AsMemory());
        source.Add(provenance.Source.AsMemory());
        submittedAt.Add(provenance.SubmittedAt.UtcDateTime);
        firstSnapshot.Add(provenance.FirstSnapshot.AsMemory());
        TextBytes += json.Length;
    }

    /// <summary>The example's own fields, from its canonical JSON (validated at ingest: prompt/completion or messages,
    /// optional domain and metadata).</summary>
    private void ParseExample(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        ReadOnlyMemory<char>? promptText = null, completionText = null, metadataText = null;
        var messageCount = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt"u8))
            {
                reader.Read();
                promptText = Text(ref reader);
            }
            else if (reader.ValueTextEquals("completion"u8))
            {
                reader.Read();
                completionText = Text(ref reader);
            }
            else if (reader.ValueTextEquals("messages"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    AddMessage(ref reader, messageCount++ == 0 ? 0 : 1);
                }
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var raw = json[start..(int)reader.BytesConsumed];
                var text = chars.Reserve(Encoding.UTF8.GetMaxCharCount(raw.Length));
                metadataText = chars.Commit(Encoding.UTF8.GetChars(raw, text));
            }
            else
            {
                reader.Read();
                reader.Skip(); // domain: the snapshot's table says it
            }
        }
        prompt.Add(promptText);
        completion.Add(completionText);
        metadata.Add(metadataText);
        if (messageCount == 0)
        {
            repetitions.Add(0); // a null list: one level-0 entry in each message column, no value
            messageLevels.Add(0);
            nameLevels.Add(0);
            weightLevels.Add(0);
        }
    }

    private void AddMessage(ref Utf8JsonReader reader, int repetition)
    {
        repetitions.Add(repetition);
        messageLevels.Add(Present);
        bool named = false, weighted = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("role"u8))
            {
                reader.Read();
                roles.Add(Text(ref reader));
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                contents.Add(Text(ref reader));
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    names.Add(Text(ref reader));
                    named = true;
                }
                reader.Skip();
            }
            else if (reader.ValueTextEquals("weight"u8))
            {
                reader.Read();
                // Ingest takes any JSON here; a number is exported, anything else is null (the digest still names the original).
                if (reader.TokenType == JsonTokenType.Number)
                {
                    weights.Add(reader.GetDouble());
                    weighted = true;
                }
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        nameLevels.Add(named ? Present : FieldMissing);
        weightLevels.Add(weighted ? Present : FieldMissing);
    }

    private ReadOnlyMemory<char> Text(ref Utf8JsonReader reader)
    {
        // A string's UTF-16 length never exceeds its UTF-8 length (escapes only shrink).
        var text = chars.Reserve(reader.ValueSpan.Length);
        return chars.Commit(reader.CopyString(text));
    }

    /// <summary>Writes the gathered rows as one row group, in schema order.</summary>
    public async Task WriteAsync(ParquetWriter writer, CancellationToken ct)
    {
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(ExportSchema.Index, index.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.Digest, digest.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.Prompt, prompt.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.Completion, completion.Memory, cancellationToken: ct);
        await group.WriteAllPartsAsync(ExportSchema.Role, roles.Memory, messageLevels.Memory, repetitions.Memory, ct);
        await group.WriteAllPartsAsync(ExportSchema.Content, contents.Memory, messageLevels.Memory, repetitions.Memory, ct);
        await group.WriteAllPartsAsync(ExportSchema.Name, names.Memory, nameLevels.Memory, repetitions.Memory, ct);
        await group.WriteAllPartsAsync(ExportSchema.Weight, weights.Memory, weightLevels.Memory, repetitions.Memory, ct);
        await group.WriteAsync(ExportSchema.Domain, domain.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.Metadata, metadata.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.BatchId, batchId.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.Line, line.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.AnnotatorId, annotatorId.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.AnnotatorHandle, annotatorHandle.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.VendorId, vendorId.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.VendorName, vendorName.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.License, license.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.Source, source.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.SubmittedAt, submittedAt.Memory, cancellationToken: ct);
        await group.WriteAsync(ExportSchema.FirstSnapshot, firstSnapshot.Memory, cancellationToken: ct);
        group.CompleteValidate();
    }

    public void Reset()
    {
        chars.Reset();
        foreach (var column in new IColumn[] { index, digest, prompt, completion, domain, metadata, batchId, annotatorId, annotatorHandle,
            vendorId, vendorName, license, source, firstSnapshot, line, submittedAt, roles, contents, names, weights, repetitions,
            messageLevels, nameLevels, weightLevels })
        {
            column.Clear();
        }
        TextBytes = 0;
    }

    private interface IColumn
    {
        void Clear();
    }

    /// <summary>A growable array whose filled part is handed to the writer as memory.</summary>
    private sealed class Column<T> : IColumn
    {
        private T[] items = new T[1024];

        public int Count { get; private set; }

        public ReadOnlyMemory<T> Memory => items.AsMemory(0, Count);

        public void Add(T item)
        {
            if (Count == items.Length)
            {
                Array.Resize(ref items, items.Length * 2);
            }
            items[Count++] = item;
        }

        public void Clear() => Count = 0; // the values are overwritten; strings point into the reused arena
    }

    /// <summary>Characters for one row group's strings, in large segments kept across row groups: no string per value.</summary>
    private sealed class CharArena
    {
        private const int SegmentSize = 1 << 20;
        private readonly List<char[]> segments = [new char[SegmentSize]];
        private int segment, used;
        private char[]? reserved;
        private bool dedicated;

        /// <summary>Room for up to <paramref name="length"/> characters; <see cref="Commit"/> says how many were used.</summary>
        public Span<char> Reserve(int length)
        {
            if (length > SegmentSize)
            {
                (reserved, dedicated) = (new char[length], true); // a very long text: its own array, dropped at the reset
                return reserved;
            }
            if (used + length > SegmentSize)
            {
                if (++segment == segments.Count)
                {
                    segments.Add(new char[SegmentSize]);
                }
                used = 0;
            }
            (reserved, dedicated) = (segments[segment], false);
            return reserved.AsSpan(used, length);
        }

        public ReadOnlyMemory<char> Commit(int length)
        {
            if (dedicated)
            {
                return reserved!.AsMemory(0, length);
            }
            var memory = reserved!.AsMemory(used, length);
            used += length;
            return memory;
        }

        public void Reset() => (segment, used) = (0, 0);
    }
}
