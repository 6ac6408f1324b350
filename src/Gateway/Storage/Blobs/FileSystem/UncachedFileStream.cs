using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Storage.Blobs.FileSystem;

/// <summary>
/// A new file written around the page cache (Linux <c>O_DIRECT</c>), for blobs read back seldom or once: an upload
/// session's blocks are kept for resuming and almost never read back, and a batch's content and index are read once by
/// its scan, so copying them into the page cache and writing them back later only costs CPU (about a third of what a
/// session spent beside the single <c>PUT</c>, and a quarter of the <c>PUT</c>'s own: <c>bash scripts/bench.sh ingest</c>)
/// and evicts pages that are read. A durable blob is made so by <see cref="FlushToDisk"/> at its commit.
/// <para><c>O_DIRECT</c> writes whole aligned pieces from aligned memory: bytes are gathered in a pinned buffer and
/// written a buffer at a time; a flush writes the partial buffer padded to the alignment and truncates the file to its
/// length, keeping the partial buffer for the next write to complete in place. Whole pages of a write that lie aligned
/// in memory while nothing is gathered (an upload block, received at a page boundary) are written from where they lie.</para>
/// <para><see cref="TryCreate"/> returns null where the file system or the system does not offer <c>O_DIRECT</c>; the
/// caller then writes through the page cache as before.</para>
/// </summary>
internal sealed class UncachedFileStream : Stream
{
    internal const int Alignment = 4096; // a multiple of every logical block size in common use
    private const int BufferBytes = 1 << 20;
    private const int PooledBuffers = 16;
    private const int GetFlags = 3, SetFlags = 4; // F_GETFL, F_SETFL

    private static readonly ConcurrentBag<byte[]> Pool = [];

    private readonly FileStream _file;
    private byte[]? _pinned;
    private readonly int _start; // the first aligned byte of _pinned
    private int _pending; // bytes gathered at _start, to be written at _written
    private long _written; // bytes written whole, a multiple of Alignment

    private UncachedFileStream(FileStream file)
    {
        _file = file;
        if (!Pool.TryTake(out _pinned))
        {
            _pinned = GC.AllocateUninitializedArray<byte>(BufferBytes + Alignment, pinned: true); // never moves
        }
        _start = AlignedIndex(_pinned);
    }

    /// <summary>Creates <paramref name="path"/> (mode 0600) to be written around the page cache, or returns null when
    /// <c>O_DIRECT</c> is not to be had there (nothing is left behind then).</summary>
    public static UncachedFileStream? TryCreate(string path)
    {
        if (DirectFlag() is not { } direct)
        {
            return null;
        }
        var options = SecretFile.Options(FileMode.CreateNew);
        options.BufferSize = 0; // every write goes straight to the file, aligned
        var file = new FileStream(path, options);
        var fd = (int)file.SafeFileHandle.DangerousGetHandle();
        var flags = Fcntl(fd, GetFlags, 0);
        if (flags < 0 || Fcntl(fd, SetFlags, flags | direct) < 0)
        {
            file.Dispose(); // EINVAL: the file system has no direct I/O
            File.Delete(path);
            return null;
        }
        return new UncachedFileStream(file);
    }

    /// <summary>O_DIRECT's value on this architecture (it differs), or null off Linux.</summary>
    private static int? DirectFlag() => !OperatingSystem.IsLinux() ? null : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => null,
    };

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);

    private Span<byte> Buffer => _pinned.AsSpan(_start, BufferBytes);

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => _pinned is not null;
    public override long Length => _written + _pending;
    public override long Position { get => Length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_pinned is null, this);
        while (!buffer.IsEmpty)
        {
            var n = Math.Min(buffer.Length, BufferBytes - _pending);
            buffer[..n].CopyTo(Buffer[_pending..]);
            _pending += n;
            buffer = buffer[n..];
            if (_pending == BufferBytes)
            {
                WritePending();
                (_written, _pending) = (_written + BufferBytes, 0);
            }
        }
    }

    /// <summary>Direct writes are synchronous on Linux whichever call makes them.</summary>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(WriteInPlace(buffer).Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes the whole aligned pieces at the start of <paramref name="buffer"/> from where they lie, when nothing
    /// is gathered and they lie aligned in memory (an upload block received at a page boundary: no copy); returns what
    /// is left to gather.</summary>
    private ReadOnlyMemory<byte> WriteInPlace(ReadOnlyMemory<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_pinned is null, this);
        if (_pending != 0 || buffer.Length < Alignment || !MemoryMarshal.TryGetArray(buffer, out var segment))
        {
            return buffer;
        }
        using var pin = buffer.Pin(); // where it lies now is where it stays until written
        if (!IsAligned(segment.Array!, segment.Offset))
        {
            return buffer;
        }
        var whole = buffer.Length / Alignment * Alignment;
        RandomAccess.Write(_file.SafeFileHandle, buffer.Span[..whole], _written);
        _written += whole;
        return buffer[whole..];
    }

    /// <summary>The first index of <paramref name="array"/> at an aligned address, as it lies now: lasting while the array
    /// is pinned (a large array seldom moves, so one received into there usually still is aligned when written).</summary>
    public static int AlignedIndex(byte[] array) => (Alignment - Misalignment(array, 0)) % Alignment;

    private static bool IsAligned(byte[] array, int index) => Misalignment(array, index) == 0;

    private static int Misalignment(byte[] array, int index) => (int)((long)Marshal.UnsafeAddrOfPinnedArrayElement(array, index) % Alignment);

    /// <summary>Writes the partial buffer padded to the alignment, then cuts the padding off the file.</summary>
    public override void Flush()
    {
        if (_pinned is null || _pending == 0)
        {
            return;
        }
        WritePending();
        _file.SetLength(Length);
    }

    /// <summary>Flushes, then makes the file durable (fsync): a direct write may still sit in the device's cache.</summary>
    public void FlushToDisk()
    {
        Flush();
        _file.Flush(flushToDisk: true);
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    /// <summary>The gathered bytes at their place, padded to a whole number of aligned pieces.</summary>
    private void WritePending()
    {
        var padded = (_pending + Alignment - 1) / Alignment * Alignment;
        _file.Position = _written;
        _file.Write(_pinned.AsSpan(_start, padded));
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Bytes not flushed are dropped, as an abandoned upload's are.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _pinned is not null)
        {
            _file.Dispose();
            if (Pool.Count < PooledBuffers)
            {
                Pool.Add(_pinned);
            }
            _pinned = null;
        }
        base.Dispose(disposing);
    }
}
