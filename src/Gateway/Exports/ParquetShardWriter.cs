using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using Parquet;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Exports;

/// <summary>What every shard of one export reads: the snapshot, its batches and their provenance, its domain table.</summary>
public sealed record ExportSources(Snapshot Snapshot, IReadOnlyDictionary<Guid, Batch> Batches,
    IReadOnlyDictionary<Guid, RowProvenance> Provenance, IReadOnlyList<string> Domains);

/// <summary>Examples <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive) of the snapshot, in file <see cref="Name"/>.</summary>
public sealed record ExportShard(string Name, long From, long To)
{
    /// <summary>Shards of about <paramref name="shardBytes"/> of example text each, named as the Hugging Face Hub lays
    /// out a split (<c>data/train-00000-of-00003.parquet</c>), the rows divided evenly; at least one, empty or not.</summary>
    public static IReadOnlyList<ExportShard> Plan(long rows, long textBytes, long shardBytes)
    {
        var wanted = Math.Clamp((textBytes + shardBytes - 1) / shardBytes, 1, Math.Max(1, rows));
        var per = Math.Max(1, (rows + wanted - 1) / wanted);
        var count = (int)Math.Max(1, (rows + per - 1) / per); // no empty file at the end
        return Enumerable.Range(0, count)
            .Select(k => new ExportShard($"data/train-{k:D5}-of-{count:D5}.parquet", Math.Min(rows, k * per), Math.Min(rows, (k + 1) * per)))
            .ToList();
    }
}

/// <summary>
/// Writes one shard as a Parquet file: the snapshot's runs are read in order, their lines parsed into row groups of
/// about <see cref="RowGroupTextBytes"/> of text, and each row group encoded and written (compressed with Snappy) while
/// the next is parsed. The file is hashed as it is written and committed only when whole.
/// </summary>
public sealed class ParquetShardWriter(IBlobStore blobs)
{
    /// <summary>Example text per row group: small enough for readers that load one at a time (the Hub's viewer), large
    /// enough to compress well.</summary>
    public const int RowGroupTextBytes = 16 << 20;

    /// <summary>The most examples one range read covers.</summary>
    private const int MaxRun = 16384;

    private static readonly ParquetOptions Options = new() { CompressionMethod = CompressionMethod.Snappy, DictionaryEncodingSampleSize = 4096 };

    public async Task<ExportFile> WriteAsync(ExportSources sources, ExportShard shard, string blobName, Action<int> written, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var free = Channel.CreateBounded<RowGroupBuffer>(2);
        var full = Channel.CreateBounded<RowGroupBuffer>(2);
        free.Writer.TryWrite(new RowGroupBuffer());
        free.Writer.TryWrite(new RowGroupBuffer());
        var writing = Task.Run(() => EncodeAsync(sources, blobName, full.Reader, free.Writer, written, failed), failed.Token);
        try
        {
            await ParseAsync(sources, shard, free.Reader, full.Writer, failed.Token);
            full.Writer.Complete();
        }
        catch (Exception e)
        {
            full.Writer.TryComplete(e);
            await failed.CancelAsync();
            await Task.WhenAny(writing); // the upload is abandoned: nothing of this shard stays
            throw;
        }
        var (sha256, size) = await writing;
        return new ExportFile(shard.Name, sha256, size, shard.To - shard.From);
    }

    private async Task ParseAsync(ExportSources sources, ExportShard shard, ChannelReader<RowGroupBuffer> free, ChannelWriter<RowGroupBuffer> full,
        CancellationToken ct)
    {
        var domains = sources.Domains.Select(d => (ReadOnlyMemory<char>?)d.AsMemory()).ToArray();
        var group = await free.ReadAsync(ct);
        var runs = SnapshotRuns.Of(sources.Batches, blobs);
        await foreach (var run in runs.ReadAsync(sources.Snapshot, shard.From, shard.To, MaxRun, ct))
        {
            var length = checked((int)(run.End - run.Start));
            var content = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                await using (var stream = await blobs.OpenReadAsync(run.Batch.ContentBlob!, run.Start, length, ct))
                {
                    await stream.ReadExactlyAsync(content.AsMemory(0, length), ct);
                }
                var provenance = sources.Provenance[run.Batch.Id];
                ReadOnlyMemory<byte> rest = content.AsMemory(0, length);
                for (var i = 0; i < run.Records.Count; i++)
                {
                    var end = rest.Span.IndexOf((byte)'\n');
                    var line = end < 0 ? rest : rest[..end];
                    rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
                    var record = run.Records[i];
                    group.Add(run.FirstIndex + i, line.Span, record, provenance, record.Domain < 0 ? null : domains[record.Domain]);
                    if (group.TextBytes >= RowGroupTextBytes)
                    {
                        await full.WriteAsync(group, ct);
                        group = await free.ReadAsync(ct);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(content);
            }
        }
        if (group.Count > 0)
        {
            await full.WriteAsync(group, ct);
        }
    }

    private async Task<(string Sha256, long Size)> EncodeAsync(ExportSources sources, string blobName, ChannelReader<RowGroupBuffer> full,
        ChannelWriter<RowGroupBuffer> free, Action<int> written, CancellationTokenSource failed)
    {
        var ct = failed.Token;
        try
        {
            await using var upload = await blobs.StartUploadAsync(blobName, ct);
            await using var hashed = new HashingStream(new BufferedStream(upload.Content, 1 << 20));
            await using (var writer = await ParquetWriter.CreateAsync(ExportSchema.Schema, hashed, Options, append: false, ct))
            {
                writer.CustomMetadata = new Dictionary<string, string>
                {
                    ["vendorgate.snapshot"] = sources.Snapshot.Version,
                    ["vendorgate.manifest_digest"] = sources.Snapshot.ManifestDigest,
                };
                await foreach (var group in full.ReadAllAsync(ct))
                {
                    await group.WriteAsync(writer, ct);
                    written(group.Count);
                    group.Reset();
                    await free.WriteAsync(group, ct);
                }
            }
            await hashed.FlushAsync(ct);
            await upload.CommitAsync(ct);
            return (Convert.ToHexStringLower(hashed.Hash()), hashed.Length);
        }
        catch
        {
            await failed.CancelAsync(); // the parser stops waiting for a free buffer
            throw;
        }
    }

    /// <summary>Passes writes through, hashing and counting them.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long length;

        public byte[] Hash() => hash.GetHashAndReset();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => length;
        public override long Position { get => length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            length += buffer.Length;
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            hash.AppendData(buffer.Span);
            length += buffer.Length;
            return inner.WriteAsync(buffer, ct);
        }

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            hash.Dispose();
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
