using VendorGate.Corpus;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Storage.Blobs.FileSystem;

/// <summary>Reads at most <c>length</c> bytes of an inner stream, then owns and disposes it.</summary>
internal sealed class BoundedReadStream(Stream inner, long length) : WrappingReadStream(inner)
{
    private long _remaining = length;

    public override long Length { get; } = length;
    public override long Position { get => Length - _remaining; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await Inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
        _remaining -= n;
        return n;
    }
}
