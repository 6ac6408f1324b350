using System.Buffers.Binary;

namespace VendorGate.Attest.Digests;

/// <summary>
/// The index blob of a received batch, beside its canonical content, in line order:
/// <code>
/// record 48 bytes   example digest (32) | byte offset of its line in the content (int64 LE)
///                   | domain (int32 LE: index among the batch's declared domains, -1 for none) | 4 bytes zero
/// </code>
/// No header: record n is at 48·n. Example n's line is content[offset(n) .. offset(n + 1) - 1] (the last ends at the
/// content's length), without its <c>\n</c>.
/// </summary>
public static class QuarantineIndex
{
    /// <summary>Bytes per record.</summary>
    public const int RecordSize = 48;

    /// <summary>The domain of an example that names none.</summary>
    public const int NoDomain = -1;

    private const int OffsetAt = BatchDigest.Size, DomainAt = OffsetAt + sizeof(long);

    /// <summary>Byte offset of record <paramref name="line"/> (zero-based).</summary>
    public static long Position(long line) => line * RecordSize;

    /// <summary>A buffer for reading the index of <paramref name="records"/> records: the index's size, a megabyte at
    /// most (a thousand-line batch's index is 48 kB: a megabyte per read would be a large-object allocation each time).</summary>
    public static int ReadBufferBytes(long records) => (int)Math.Clamp(records * RecordSize, RecordSize, 1 << 20);

    /// <summary>Record <paramref name="i"/> of a buffer of records.</summary>
    public static Span<byte> Record(Span<byte> records, int i) => records.Slice(i * RecordSize, RecordSize);

    /// <inheritdoc cref="Record(Span{byte}, int)"/>
    public static ReadOnlySpan<byte> Record(ReadOnlySpan<byte> records, int i) => records.Slice(i * RecordSize, RecordSize);

    /// <summary>The example digest (32 bytes; written in place by whoever hashes the line).</summary>
    public static Span<byte> Digest(Span<byte> record) => record[..BatchDigest.Size];

    /// <inheritdoc cref="Digest(Span{byte})"/>
    public static ReadOnlySpan<byte> Digest(ReadOnlySpan<byte> record) => record[..BatchDigest.Size];

    /// <summary>The byte offset of the example's line in the content.</summary>
    public static long Offset(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[OffsetAt..]);

    /// <summary>The example's domain: its index among the batch's declared domains, or <see cref="NoDomain"/>.</summary>
    public static int Domain(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt32LittleEndian(record[DomainAt..]);

    /// <summary>Writes the offset and domain (the digest is written in place, the padding stays zero).</summary>
    public static void Write(Span<byte> record, long offset, int domain)
    {
        BinaryPrimitives.WriteInt64LittleEndian(record[OffsetAt..], offset);
        BinaryPrimitives.WriteInt32LittleEndian(record[DomainAt..], domain);
    }

    /// <summary>Moves a record's offset by <paramref name="delta"/> (a chunk's records are relative to the chunk).</summary>
    public static void Shift(Span<byte> record, long delta) =>
        BinaryPrimitives.WriteInt64LittleEndian(record[OffsetAt..], Offset(record) + delta);
}
