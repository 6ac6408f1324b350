using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace VendorGate.Attest.Digests;

/// <summary>One example of a snapshot: its digest, and who contributed it (the batch, the line in that batch, the annotator).</summary>
/// <param name="Digest">The example digest (32 bytes).</param>
/// <param name="BatchId">The batch it was merged from.</param>
/// <param name="AnnotatorId">The principal who submitted that batch.</param>
/// <param name="Line">Its zero-based line in that batch.</param>
/// <param name="Domain">Its domain, as an index into the snapshot's domain table (signed with the snapshot); -1 for none.</param>
public readonly record struct ManifestRecord(byte[] Digest, Guid BatchId, Guid AnnotatorId, int Line, int Domain = -1);

/// <summary>
/// The manifest blob of a snapshot, in example order:
/// <code>
/// header  8 bytes   "VGM1" (ASCII), then record size as little-endian uint32 (72)
/// record 72 bytes   digest (32) | batch id (16, RFC 4122 byte order) | annotator id (16, RFC 4122) | line in the batch (int32 LE)
///                   | domain (int32 LE: index into the snapshot's domain table, -1 for none)
/// </code>
/// Fixed-size records give O(1) access to example n (offset 8 + 72·n). The manifest digest, the snapshot's identity,
/// is SHA-256 over the whole blob.
/// </summary>
public static class SnapshotManifest
{
    /// <summary>The format's name, as the snapshot statement gives it.</summary>
    public const string Format = "VGM1";

    /// <summary>Bytes before the first record.</summary>
    public const int HeaderSize = 8;

    /// <summary>Bytes per record.</summary>
    public const int RecordSize = 72;
    private static ReadOnlySpan<byte> Magic => "VGM1"u8;

    /// <summary>The 8-byte header.</summary>
    public static byte[] Header()
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), RecordSize);
        return header;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> unless this is a VGM1 header.</summary>
    public static void CheckHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderSize || !header[..4].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != RecordSize)
        {
            throw new InvalidDataException("not a VGM1 snapshot manifest");
        }
    }

    /// <summary>Byte offset of record <paramref name="index"/>.</summary>
    public static long Offset(long index) => HeaderSize + index * RecordSize;

    /// <summary>Encodes a record into 72 bytes.</summary>
    public static void Write(in ManifestRecord record, Span<byte> destination)
    {
        record.Digest.CopyTo(destination);
        record.BatchId.TryWriteBytes(destination[32..], bigEndian: true, out _);
        record.AnnotatorId.TryWriteBytes(destination[48..], bigEndian: true, out _);
        BinaryPrimitives.WriteInt32LittleEndian(destination[64..], record.Line);
        BinaryPrimitives.WriteInt32LittleEndian(destination[68..], record.Domain);
    }

    /// <summary>Decodes a 72-byte record.</summary>
    public static ManifestRecord Read(ReadOnlySpan<byte> source) => new(
        source[..32].ToArray(),
        new Guid(source[32..48], bigEndian: true),
        new Guid(source[48..64], bigEndian: true),
        BinaryPrimitives.ReadInt32LittleEndian(source[64..]),
        BinaryPrimitives.ReadInt32LittleEndian(source[68..]));

    /// <summary>The first 32 bytes of a record as a hashable key.</summary>
    public static DigestKey KeyOf(ReadOnlySpan<byte> digest) => MemoryMarshal.Read<DigestKey>(digest);

    /// <summary>Reads all records of a manifest stream in order.</summary>
    public static async IAsyncEnumerable<ManifestRecord> ReadAllAsync(Stream manifest, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var buffered = new BufferedStream(manifest, 1 << 20);
        var header = new byte[HeaderSize];
        await buffered.ReadExactlyAsync(header, cancellationToken);
        CheckHeader(header);
        var record = new byte[RecordSize];
        while (await buffered.ReadAtLeastAsync(record, RecordSize, throwOnEndOfStream: false, cancellationToken) == RecordSize)
        {
            yield return Read(record);
        }
    }
}

/// <summary>A SHA-256 digest as two 128-bit halves: cheap to hash and compare.</summary>
/// <param name="High">Bytes 0-15.</param>
/// <param name="Low">Bytes 16-31.</param>
public readonly record struct DigestKey(Int128 High, Int128 Low);
