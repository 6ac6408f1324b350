using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>Examples already received in another live batch (of any vendor): a warning, since one example
/// arriving from several places is worth a reviewer's look but the corpus keeps it once.</summary>
public sealed class DuplicateOfReceivedScanner : IBatchScanner
{
    public const string Code = "duplicate-of-received";
    private const int MaxRows = 10_000;
    private static readonly string[] Dead = [BatchStatus.Open, BatchStatus.Rejected, BatchStatus.Revoked];

    public async Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var id = context.Batch.Id;
        var db = context.Reads;
        var matches = await (
            from mine in db.ExampleOccurrences
            where mine.BatchId == id
            join other in db.ExampleOccurrences on mine.Digest equals other.Digest
            where other.BatchId != id
            join batch in db.Batches on other.BatchId equals batch.Id
            where !Dead.Contains(batch.Status)
            orderby mine.Line, other.BatchId // the first lines, the same every scan (the key's order: no sort before Take)
            select new { mine.Line, other.BatchId })
            .Take(MaxRows).ToListAsync(cancellationToken);
        if (matches.Count == 0)
        {
            return [];
        }
        var lines = matches.Select(m => (long)m.Line + 1).Distinct().Order().ToList();
        var batches = matches.Select(m => m.BatchId).Distinct().ToList();
        return
        [
            new ScanFinding(Code, Severity.Warn,
                $"{lines.Count}{(matches.Count == MaxRows ? "+" : "")} example(s) were already received in {batches.Count} other batch(es), e.g. {batches[0]}.",
                lines.Take(BatchScanContext.MaxLinesPerFinding).ToList()),
        ];
    }
}
