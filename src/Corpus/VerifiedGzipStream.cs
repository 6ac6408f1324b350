using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace VendorGate.Corpus;

/// <summary>
/// Decompresses a single-member gzip body and, at the end, checks the member's trailer (CRC-32 and length,
/// RFC 1952) against what was decompressed. <see cref="GZipStream"/> alone reports a truncated body as a
/// clean end of stream, which would silently accept a body cut at a line boundary.
/// Throws <see cref="InvalidDataException"/> on a mismatch.
/// </summary>
public sealed class VerifiedGzipStream : ReadOnlyStream
{
    private readonly TailStream _compressed;
    private readonly GZipStream _gzip;
    private readonly Crc32 _crc = new();
    private long _length;

    public VerifiedGzipStream(Stream compressed)
    {
        _compressed = new TailStream(compressed);
        _gzip = new GZipStream(_compressed, CompressionMode.Decompress);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _gzip.ReadAsync(buffer, cancellationToken);
        if (n == 0)
        {
            await VerifyTrailerAsync(cancellationToken);
            return 0;
        }
        _crc.Append(buffer.Span[..n]);
        _length += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private async Task VerifyTrailerAsync(CancellationToken cancellationToken)
    {
        await _compressed.CopyToAsync(Null, cancellationToken); // whatever the decoder did not ask for
        var tail = _compressed.Tail;
        if (tail.Length < 8
            || BinaryPrimitives.ReadUInt32LittleEndian(tail) != _crc.GetCurrentHashAsUInt32()
            || BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]) != (uint)_length)
        {
            throw new InvalidDataException(
                "the gzip trailer does not match the data: the body is truncated or corrupt (only single-member gzip is accepted)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Passes reads through and remembers the last eight bytes.</summary>
    private sealed class TailStream(Stream inner) : ReadOnlyStream
    {
        private readonly byte[] _tail = new byte[8];
        private int _tailLength;

        public ReadOnlySpan<byte> Tail => _tail.AsSpan(0, _tailLength);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            Remember(buffer.Span[..n]);
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            Remember(buffer.AsSpan(offset, n));
            return n;
        }

        private void Remember(ReadOnlySpan<byte> read)
        {
            if (read.Length >= 8)
            {
                read[^8..].CopyTo(_tail);
                _tailLength = 8;
                return;
            }
            var keep = Math.Min(_tailLength, 8 - read.Length);
            _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
            read.CopyTo(_tail.AsSpan(keep));
            _tailLength = keep + read.Length;
        }
    }
}
