namespace VendorGate.Gateway.Batches.Scanning;

/// <summary>Exact repeats inside one batch. Poisoning is an absolute-count attack, and repeating one example
/// is the cheapest way to raise its count, so by default this blocks.</summary>
public sealed class DuplicateInBatchScanner : IBatchScanner
{
    public const string Code = "duplicate-in-batch";

    public Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        // Line numbers sorted by digest (then line): 4 bytes an example instead of a hash set of digests.
        var order = new int[context.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) => context.DigestAt(a).SequenceCompareTo(context.DigestAt(b)) is var c and not 0 ? c : a.CompareTo(b));

        var repeats = new List<long>();
        for (var i = 1; i < order.Length; i++)
        {
            if (context.DigestAt(order[i]).SequenceEqual(context.DigestAt(order[i - 1])))
            {
                repeats.Add(order[i] + 1L); // every occurrence after the first, one-based
            }
        }
        if (repeats.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<ScanFinding>>([]);
        }
        repeats.Sort();
        IReadOnlyList<ScanFinding> findings =
        [
            new ScanFinding(Code, Severity.Block,
                $"{repeats.Count} example(s) repeat an earlier example of this batch; the first repeat is line {repeats[0]}.",
                repeats.Take(BatchScanContext.MaxLinesPerFinding).ToList()),
        ];
        return Task.FromResult(findings);
    }
}
