using VendorGate.Corpus;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches.Uploads;

/// <summary>The blobs <paramref name="names"/>, read one after another as one stream (an upload session's blocks in order),
/// each opened when the one before it ends.</summary>
internal sealed class BlockSequenceStream(IBlobReader blobs, IReadOnlyList<string> names) : ReadOnlyStream
{
    private Stream? _current;
    private int _next;

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_current is null)
            {
                if (_next == names.Count)
                {
                    return 0;
                }
                _current = await blobs.OpenReadAsync(names[_next++], cancellationToken: cancellationToken);
            }
            var n = await _current.ReadAsync(buffer, cancellationToken);
            if (n > 0 || buffer.IsEmpty)
            {
                return n;
            }
            await _current.DisposeAsync();
            _current = null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
        }
    }
}
