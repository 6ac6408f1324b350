using System.Text.Json;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches;

/// <summary>Random access into a received batch: the index gives each example's offset, so a page costs two range reads.</summary>
public sealed class BatchExamples(IBlobStore blobs)
{
    public async Task<IReadOnlyList<ExampleView>> ReadAsync(Batch batch, long offset, int limit, CancellationToken ct)
    {
        var count = batch.Count ?? 0;
        if (offset >= count)
        {
            return [];
        }
        var n = (int)Math.Min(limit, count - offset);
        var hasNext = offset + n < count;
        var records = new byte[(n + (hasNext ? 1 : 0)) * QuarantineIndex.RecordSize];
        await using (var index = await blobs.OpenReadAsync(batch.IndexBlob!, QuarantineIndex.Position(offset), records.Length, ct))
        {
            await index.ReadExactlyAsync(records, ct);
        }
        long OffsetAt(int i) => QuarantineIndex.Offset(QuarantineIndex.Record(records.AsSpan(), i));
        var start = OffsetAt(0);
        var end = hasNext ? OffsetAt(n) : batch.ContentBytes!.Value;
        var content = new byte[end - start];
        await using (var stream = await blobs.OpenReadAsync(batch.ContentBlob!, start, content.Length, ct))
        {
            await stream.ReadExactlyAsync(content, ct);
        }

        var items = new List<ExampleView>(n);
        for (var i = 0; i < n; i++)
        {
            var from = (int)(OffsetAt(i) - start);
            var to = (int)((i + 1 < n || hasNext ? OffsetAt(i + 1) : end) - start) - 1; // drop the '\n'
            var digest = QuarantineIndex.Digest(QuarantineIndex.Record(records.AsSpan(), i));
            using var document = JsonDocument.Parse(content.AsMemory(from, to - from));
            items.Add(new ExampleView(offset + i, BatchDigest.Format(digest), document.RootElement.Clone()));
        }
        return items;
    }
}
