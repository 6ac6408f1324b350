using System.Buffers;

namespace VendorGate.Corpus;

/// <summary>Whole lines of the body, a few MiB at a time, each chunk numbered by its first line.</summary>
/// <param name="Buffer">Rented; the processor returns it.</param>
/// <param name="Length">Bytes of whole lines at the start of <paramref name="Buffer"/>.</param>
/// <param name="FirstLine">One-based number of the chunk's first line in the body.</param>
/// <param name="OverlongLine">Set instead of content when a line exceeded the buffer: it was skipped.</param>
public sealed record Chunk(byte[] Buffer, int Length, long FirstLine, bool OverlongLine);

/// <summary>Cuts a stream into chunks that end at a line break. A line longer than the chunk size is reported
/// as one overlong-line chunk and skipped, so no line is ever buffered whole beyond the chunk size. Lines are numbered
/// from <paramref name="firstLine"/> (a stream that starts inside a body: a shard of a scan).</summary>
public sealed class ChunkReader(Stream body, int chunkSize, long firstLine = 1)
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
    private int _filled;
    private bool _ended;
    private long _nextLine = firstLine;

    /// <summary>Bytes read from the (decompressed) body so far.</summary>
    public long BytesRead { get; private set; }

    public async Task<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        while (!_ended && _filled < chunkSize)
        {
            var n = await body.ReadAsync(_buffer.AsMemory(_filled, chunkSize - _filled), cancellationToken);
            _filled += n;
            BytesRead += n;
            _ended = n == 0;
        }
        if (_filled == 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            return null;
        }

        var lastBreak = _buffer.AsSpan(0, _filled).LastIndexOf((byte)'\n');
        if (lastBreak < 0 && !_ended)
        {
            return await SkipOverlongLineAsync(cancellationToken);
        }
        var length = lastBreak < 0 ? _filled : lastBreak + 1; // at the end, the last line needs no break
        var chunk = new Chunk(_buffer, length, _nextLine, OverlongLine: false);
        _nextLine += _buffer.AsSpan(0, length).Count((byte)'\n') + (lastBreak < 0 || _ended && length < _filled ? 1 : 0);

        var next = ArrayPool<byte>.Shared.Rent(chunkSize);
        _buffer.AsSpan(length, _filled - length).CopyTo(next);
        _filled -= length;
        _buffer = next;
        return chunk;
    }

    private async Task<Chunk> SkipOverlongLineAsync(CancellationToken cancellationToken)
    {
        var line = _nextLine++;
        while (true)
        {
            var lineBreak = _buffer.AsSpan(0, _filled).IndexOf((byte)'\n');
            if (lineBreak >= 0)
            {
                _buffer.AsSpan(lineBreak + 1, _filled - lineBreak - 1).CopyTo(_buffer);
                _filled -= lineBreak + 1;
                break;
            }
            _filled = await body.ReadAsync(_buffer.AsMemory(0, chunkSize), cancellationToken);
            BytesRead += _filled;
            if (_filled == 0)
            {
                _ended = true;
                break;
            }
        }
        return new Chunk(ArrayPool<byte>.Shared.Rent(1), 0, line, OverlongLine: true);
    }
}
