using System.Buffers;

namespace VendorGate.Attest.Canonical;

/// <summary>A reusable, growable byte buffer that canonical JSON is written into.
/// Reuse one instance per thread to avoid an allocation per document.</summary>
public sealed class CanonicalJsonBuffer : IBufferWriter<byte>
{
    private byte[] _bytes;

    /// <summary>Creates a buffer with the given initial capacity.</summary>
    public CanonicalJsonBuffer(int initialCapacity = 4096) => _bytes = new byte[Math.Max(16, initialCapacity)];

    /// <summary>Number of bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _bytes.AsSpan(0, Length);

    /// <summary>The bytes written so far, as memory.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _bytes.AsMemory(0, Length);

    /// <summary>Forgets everything written; keeps the capacity.</summary>
    public void Clear() => Length = 0;

    /// <inheritdoc />
    public void Advance(int count) => Length += count;

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var at = Reserve(sizeHint); // before reading _bytes: Reserve may replace the array
        return _bytes.AsMemory(at);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var at = Reserve(sizeHint);
        return _bytes.AsSpan(at);
    }

    /// <summary>Appends bytes.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        var at = Reserve(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(at));
        Length += bytes.Length;
    }

    /// <summary>Appends one byte.</summary>
    public void Write(byte b)
    {
        Reserve(1);
        _bytes[Length++] = b;
    }

    /// <summary>Drops everything after the first <paramref name="length"/> bytes.</summary>
    public void Truncate(int length) => Length = length;

    private int Reserve(int sizeHint)
    {
        var needed = Length + Math.Max(sizeHint, 1);
        if (needed > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(needed, _bytes.Length * 2));
        }
        return Length;
    }
}
