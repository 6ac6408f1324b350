using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.Extensions.Options;
using VendorGate.Attest.Canonical;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches;

public sealed record LineError(long Line, string Reason);

/// <summary>The result of streaming one upload. Only <see cref="Accepted"/> leaves committed blobs behind.</summary>
public abstract record IngestOutcome
{
    public sealed record Accepted(long Count, byte[] Digest, long ContentBytes) : IngestOutcome;
    public sealed record InvalidLines(IReadOnlyList<LineError> Errors, bool Truncated) : IngestOutcome;
    public sealed record TooLarge(long Limit) : IngestOutcome;
    public sealed record Empty : IngestOutcome;
    public sealed record CorruptEncoding(string Reason) : IngestOutcome;
}

/// <summary>
/// Streams an NDJSON upload once, end to end: splits lines, validates each, canonicalizes it (RFC 8785),
/// hashes it, and writes two quarantine blobs:
/// <list type="bullet">
/// <item><c>content</c>: the canonical lines, each followed by <c>\n</c> (so each line hashes to its example digest);</item>
/// <item><c>index</c>: one 40-byte record per example: its 32-byte digest, then the little-endian int64 byte offset of its line in content.</item>
/// </list>
/// Memory stays bounded by the line limit whatever the body size. Blobs are committed only when every line is valid.
/// </summary>
public sealed class ContentIngest(IBlobStore blobs, IOptions<VendorGateOptions> options)
{
    public const int IndexRecordSize = BatchDigest.Size + sizeof(long);
    private const int MaxReportedErrors = 100;
    private const int FlushThreshold = 1 << 20;

    public async Task<IngestOutcome> IngestAsync(Stream body, string contentBlob, string indexBlob,
        IReadOnlySet<string> declaredDomains, CancellationToken cancellationToken)
    {
        var limits = options.Value.Ingest;
        await using var content = await blobs.StartUploadAsync(contentBlob, cancellationToken);
        await using var index = await blobs.StartUploadAsync(indexBlob, cancellationToken);
        var state = new LineProcessor(limits.MaxLineBytes, declaredDomains);
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 1 << 20, minimumReadSize: 1 << 16));
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (state.TryTakeLine(ref buffer, out var line))
                {
                    state.Process(line);
                }
                if (read.IsCompleted && !buffer.IsEmpty)
                {
                    state.ProcessLast(buffer); // no trailing newline
                    buffer = buffer.Slice(buffer.End);
                }
                state.Discard(ref buffer);
                reader.AdvanceTo(buffer.Start, buffer.End);

                if (state.BytesSeen > limits.MaxBatchBytes)
                {
                    return new IngestOutcome.TooLarge(limits.MaxBatchBytes);
                }
                if (state.Errors.Count >= MaxReportedErrors)
                {
                    return new IngestOutcome.InvalidLines(state.Errors, Truncated: true);
                }
                if (state.Errors.Count == 0)
                {
                    await state.FlushAsync(content.Content, index.Content, read.IsCompleted ? 0 : FlushThreshold, cancellationToken);
                }
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (InvalidDataException e)
        {
            return new IngestOutcome.CorruptEncoding(e.Message);
        }
        finally
        {
            await reader.CompleteAsync();
        }

        if (state.Errors.Count > 0)
        {
            return new IngestOutcome.InvalidLines(state.Errors, Truncated: false);
        }
        if (state.Digest.Count == 0)
        {
            return new IngestOutcome.Empty();
        }
        await content.CommitAsync(cancellationToken);
        await index.CommitAsync(cancellationToken);
        return new IngestOutcome.Accepted(state.Digest.Count, state.Digest.Finish(), state.ContentBytes);
    }

    /// <summary>Per-upload state: the line counter, the canonical output waiting to be flushed, the running digest.</summary>
    private sealed class LineProcessor(int maxLineBytes, IReadOnlySet<string> declaredDomains)
    {
        private readonly CanonicalJsonBuffer _content = new(FlushThreshold * 2);
        private readonly CanonicalJsonBuffer _index = new(FlushThreshold / 8);
        private bool _skippingLongLine;

        public long LineNumber { get; private set; }
        public long BytesSeen { get; private set; }
        public long ContentBytes { get; private set; }
        public List<LineError> Errors { get; } = [];
        public BatchDigest Digest { get; } = new();

        public bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
        {
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is null)
            {
                line = default;
                return false;
            }
            line = buffer.Slice(0, newline.Value);
            buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
            BytesSeen += line.Length + 1;
            if (_skippingLongLine)
            {
                // The tail of a line already reported as too long.
                _skippingLongLine = false;
                return TryTakeLine(ref buffer, out line);
            }
            return true;
        }

        /// <summary>Drops a partial line that is already over the limit, so it is never buffered whole.</summary>
        public void Discard(ref ReadOnlySequence<byte> buffer)
        {
            if (buffer.Length <= maxLineBytes)
            {
                return;
            }
            if (!_skippingLongLine)
            {
                LineNumber++;
                Error($"the line is longer than {maxLineBytes} bytes");
                _skippingLongLine = true;
            }
            BytesSeen += buffer.Length;
            buffer = buffer.Slice(buffer.End);
        }

        public void ProcessLast(ReadOnlySequence<byte> rest)
        {
            BytesSeen += rest.Length;
            if (!_skippingLongLine)
            {
                Process(rest);
            }
        }

        public void Process(ReadOnlySequence<byte> line)
        {
            LineNumber++;
            if (!line.IsEmpty && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
            {
                line = line.Slice(0, line.Length - 1);
            }
            if (line.Length > maxLineBytes)
            {
                Error($"the line is longer than {maxLineBytes} bytes");
                return;
            }
            if (line.IsEmpty)
            {
                Error("empty line");
                return;
            }
            if (line.IsSingleSegment)
            {
                Process(line.FirstSpan);
                return;
            }
            var copy = ArrayPool<byte>.Shared.Rent((int)line.Length);
            line.CopyTo(copy);
            Process(copy.AsSpan(0, (int)line.Length));
            ArrayPool<byte>.Shared.Return(copy);
        }

        private void Process(ReadOnlySpan<byte> line)
        {
            var start = _content.Length;
            try
            {
                using var document = JsonCanonicalizer.Parse(line);
                if (ExampleShape.Check(document.RootElement, declaredDomains) is { } problem)
                {
                    Error(problem);
                    return;
                }
                JsonCanonicalizer.Write(document.RootElement, _content); // also rejects duplicate member names
            }
            catch (JsonCanonicalizationException e)
            {
                _content.Truncate(start);
                Error(e.Message);
                return;
            }
            if (Errors.Count > 0)
            {
                _content.Truncate(start); // the upload is rejected anyway: keep validating, stop producing output
                return;
            }

            Span<byte> record = stackalloc byte[IndexRecordSize];
            BatchDigest.ComputeExample(_content.WrittenSpan[start..], record[..BatchDigest.Size]);
            BinaryPrimitives.WriteInt64LittleEndian(record[BatchDigest.Size..], ContentBytes + start);
            Digest.Append(record[..BatchDigest.Size]);
            _index.Write(record);
            _content.Write((byte)'\n');
        }

        public async Task FlushAsync(Stream content, Stream index, int threshold, CancellationToken cancellationToken)
        {
            if (_content.Length < threshold)
            {
                return;
            }
            await content.WriteAsync(_content.WrittenMemory, cancellationToken);
            await index.WriteAsync(_index.WrittenMemory, cancellationToken);
            ContentBytes += _content.Length;
            _content.Clear();
            _index.Clear();
        }

        private void Error(string reason)
        {
            if (Errors.Count < MaxReportedErrors)
            {
                Errors.Add(new LineError(LineNumber, reason));
            }
        }
    }
}
