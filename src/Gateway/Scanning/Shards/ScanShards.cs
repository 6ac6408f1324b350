using System.Text;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Scanning;

/// <summary>A large batch's scan split across worker processes. The content is cut into shards of whole lines (equal
/// numbers of examples, their byte ranges read from the quarantine index). Each pass of the scan
/// (<see cref="ContentScan.For"/>) runs as one <see cref="ScanShardJob"/> per shard, which writes what its scanners
/// learned (<see cref="IExampleScanner.WriteState"/>) and its hits to a state blob; when every shard of the pass has
/// written its own, <see cref="ScanMergeJob"/> adds them up into one set of scanners, which stands as if it had read the
/// whole batch: it either writes the merged state for the next pass's shards or concludes and stores the findings.
/// Every job is idempotent (a state blob is written once, under a name fixed by the scan, pass and shard), so a shard
/// that crashes is retried alone and a duplicate delivery finds its work done.
///
/// <para>State blob (<c>scans/{batch}/shards/{scan}/{pass}.{shard}</c>, merged: <c>{pass}.merged</c>, and an empty
/// <c>{pass}.next</c> once the next pass's shards are enqueued): "VGS1", the pass,
/// then for each scanner in reading order its type name and what it wrote for that pass, then the hits (a merged blob's
/// hits are those of every pass so far).</para></summary>
public static class ScanShards
{
    private const string Magic = "VGS2"; // 2: count-min sketches in blocks

    /// <summary>How many shards to scan <paramref name="batch"/> in: 1 (whole) up to <paramref name="perShard"/> examples.</summary>
    public static int CountFor(Batch batch, int perShard) =>
        perShard <= 0 || batch.Count is not { } count || count <= perShard ? 1 : (int)Math.Ceiling((double)count / perShard);

    /// <summary>Where every scan's blobs are, the shards' state under <c>{batch}/shards/{scan}/</c>.</summary>
    public const string Root = "scans/";

    /// <summary>The folder of one scan's shard blobs (what <see cref="ScanOf"/> reads back).</summary>
    private static string Folder(Guid batchId, Guid scanId) => $"{Root}{batchId}/shards/{scanId:N}/";

    public static string StateBlob(Guid batchId, Guid scanId, int pass, int shard) => $"{Folder(batchId, scanId)}{pass}.{shard}";

    /// <summary>The batch and scan a shard blob (state, merged or marker) belongs to; null for any other blob.</summary>
    public static (Guid BatchId, Guid ScanId)? ScanOf(string blob) =>
        blob.Split('/') is ["scans", var batch, "shards", var scan, _] && Guid.TryParse(batch, out var batchId) && Guid.TryParseExact(scan, "N", out var scanId)
            ? (batchId, scanId)
            : null;

    /// <summary>When a scan began: its id is a version-7 GUID, whose first 48 bits are the Unix time in milliseconds
    /// (an id of another version says nothing: long ago).</summary>
    public static DateTimeOffset StartedAt(Guid scanId) => scanId.Version == 7
        ? DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(scanId.ToString("N")[..12], 16))
        : DateTimeOffset.MinValue;

    public static string MergedBlob(Guid batchId, Guid scanId, int pass) => $"{Folder(batchId, scanId)}{pass}.merged";

    /// <summary>Empty; written once the shards of the pass after <paramref name="pass"/> are enqueued.</summary>
    public static string NextPassStartedBlob(Guid batchId, Guid scanId, int pass) => $"{Folder(batchId, scanId)}{pass}.next";

    /// <summary>Shard <paramref name="shard"/> of <paramref name="shards"/>: its first line (one-based), and the byte
    /// range of its lines in the content (a length of null: to the end).</summary>
    public static async Task<(long FirstLine, long Offset, long? Length)> RangeAsync(IBlobReader blobs, Batch batch, int shard, int shards,
        CancellationToken cancellationToken)
    {
        var count = batch.Count!.Value;
        var perShard = (count + shards - 1) / shards;
        var (first, next) = (shard * perShard, (shard + 1) * perShard);
        var offset = await OffsetAsync(first);
        return (first + 1, offset, next >= count ? null : await OffsetAsync(next) - offset);

        async Task<long> OffsetAsync(long line)
        {
            var record = new byte[QuarantineIndex.RecordSize];
            await using var index = await blobs.OpenReadAsync(batch.IndexBlob!, QuarantineIndex.Position(line), record.Length, cancellationToken);
            await index.ReadExactlyAsync(record, cancellationToken);
            return QuarantineIndex.Offset(record);
        }
    }

    /// <summary>A context and its prepared example scanners for a part of a sharded scan, holding the merged state of
    /// passes 1 to <paramref name="through"/>, and (with <paramref name="withHits"/>) the hits found so far.</summary>
    public static async Task<(BatchScanContext Context, IReadOnlyList<IExampleScanner> Scanners)> OpenAsync(VendorGateDb db, IBlobReader blobs,
        IEnumerable<IExampleScanner> scanners, Batch batch, Guid scanId, int through, bool learnsReference, bool withHits, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var context = new BatchScanContext(batch, null, new ScanReads(db), blobs, now) { LearnsReference = learnsReference };
        var prepared = await ContentScan.PrepareAsync(context, scanners, cancellationToken);
        for (var pass = 1; pass <= through; pass++)
        {
            await MergeAsync(blobs, MergedBlob(batch.Id, scanId, pass), pass, prepared, withHits && pass == through ? context.Hits : null, cancellationToken);
        }
        return (context, prepared);
    }

    /// <summary>Writes the scanners' state of <paramref name="pass"/> and <paramref name="hits"/> as <paramref name="name"/>,
    /// once (a racing duplicate wrote the same).</summary>
    public static async Task WriteAsync(IBlobStore blobs, string name, int pass, IReadOnlyList<IExampleScanner> scanners, ExampleHits hits,
        CancellationToken cancellationToken)
    {
        await using var upload = await blobs.StartUploadAsync(name, cancellationToken);
        var buffered = new BufferedStream(upload.Content, 1 << 20); // flushed, not disposed: that would close the upload
        await using (var writer = new BinaryWriter(buffered, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(pass);
            foreach (var scanner in scanners)
            {
                writer.Write(scanner.GetType().Name);
                scanner.WriteState(pass, writer);
            }
            hits.Write(writer);
        }
        await buffered.FlushAsync(cancellationToken);
        try
        {
            await upload.CommitAsync(cancellationToken);
        }
        catch (BlobAlreadyExistsException)
        {
            // a duplicate delivery of the same job wrote the same state
        }
    }

    /// <summary>Adds the state blob <paramref name="name"/> of <paramref name="pass"/> into <paramref name="scanners"/>,
    /// and its hits into <paramref name="hits"/> unless null.</summary>
    public static async Task MergeAsync(IBlobReader blobs, string name, int pass, IReadOnlyList<IExampleScanner> scanners, ExampleHits? hits,
        CancellationToken cancellationToken)
    {
        await using var stream = new BufferedStream(await blobs.OpenReadAsync(name, cancellationToken: cancellationToken), 1 << 20);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        if (reader.ReadString() != Magic || reader.ReadInt32() != pass)
        {
            throw new InvalidDataException($"{name} is not the state of pass {pass} of a sharded scan.");
        }
        foreach (var scanner in scanners)
        {
            if (reader.ReadString() is var writer && writer != scanner.GetType().Name)
            {
                throw new InvalidDataException($"{name} holds the state of {writer} where {scanner.GetType().Name} was expected: written by another version.");
            }
            scanner.MergeState(pass, reader);
        }
        hits?.Merge(reader);
    }

    /// <summary>Every state blob of a scan through <paramref name="passes"/>, for deleting once its findings are stored.</summary>
    public static IEnumerable<string> Blobs(Guid batchId, Guid scanId, int passes, int shards) =>
        Enumerable.Range(1, passes).SelectMany(pass => Enumerable.Range(0, shards).Select(shard => StateBlob(batchId, scanId, pass, shard))
            .Append(MergedBlob(batchId, scanId, pass)).Append(NextPassStartedBlob(batchId, scanId, pass)));
}
