using Microsoft.Extensions.Options;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

public sealed class DuplicateOptions
{
    public const string Section = "VendorGate:Scan:Duplicates";

    /// <summary>An example that occurs this many times in one batch blocks it; fewer repeats warn.</summary>
    public int BlockAt { get; set; } = 5;
}

/// <summary>Exact repeats inside one batch. A snapshot keeps one copy of each example anyway, so an occasional repeat
/// only warns; poisoning is an absolute-count attack and repeating one example is the cheapest way to raise its count,
/// so an example that occurs <see cref="DuplicateOptions.BlockAt"/> times or more blocks.</summary>
public sealed class DuplicateInBatchScanner(IOptions<DuplicateOptions> options) : IBatchScanner
{
    public const string Code = "duplicate-in-batch";

    public Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var order = SortedByDigest(context);

        var repeats = new List<long>();
        (int First, int Occurrences) most = (0, 0);
        var first = 0;
        for (var i = 1; i <= order.Length; i++)
        {
            if (i < order.Length && context.DigestAt(order[i]).SequenceEqual(context.DigestAt(order[i - 1])))
            {
                repeats.Add(order[i] + 1L); // every occurrence after the first, one-based
                continue;
            }
            // order[first..i) is one example's occurrences, its first line first.
            if (i - first > most.Occurrences)
            {
                most = (order[first] + 1, i - first);
            }
            first = i;
        }
        if (repeats.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<ScanFinding>>([]);
        }
        repeats.Sort();
        var blockAt = options.Value.BlockAt;
        var severity = most.Occurrences >= blockAt ? Severity.Block : Severity.Warn;
        IReadOnlyList<ScanFinding> findings =
        [
            new ScanFinding(Code, severity,
                $"{repeats.Count} example(s) repeat an earlier example of this batch; the first repeat is line {repeats[0]}. "
                + $"The most repeated, line {most.First}, occurs {most.Occurrences} times "
                + (severity == Severity.Block
                    ? $"(blocks at {blockAt}: repeating one example is the cheapest way to amplify a poison)."
                    : $"(a snapshot keeps one copy; an example occurring {blockAt} times would block)."),
                repeats.Take(BatchScanContext.MaxLinesPerFinding).ToList()),
        ];
        return Task.FromResult(findings);
    }

    /// <summary>Line numbers (from 0) sorted by digest, then line: 4 bytes an example instead of a hash set of digests.
    /// Sorted by the digests' first 8 bytes as numbers first (a comparison of whole digests per step was a second of
    /// the single-threaded end of a 1M scan), then each run of equal prefixes (repeats, mostly) by whole digest and line.</summary>
    internal static int[] SortedByDigest(BatchScanContext context)
    {
        var order = ScanMemory.Array<int>(context.Count);
        var prefixes = ScanMemory.Array<ulong>(context.Count);
        for (var i = 0; i < order.Length; i++)
        {
            (order[i], prefixes[i]) = (i, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(context.DigestAt(i)));
        }
        Array.Sort(prefixes, order);
        var byDigest = Comparer<int>.Create((a, b) => context.DigestAt(a).SequenceCompareTo(context.DigestAt(b)) is var c and not 0 ? c : a.CompareTo(b));
        for (int from = 0, to = 1; to <= order.Length; to++)
        {
            if (to == order.Length || prefixes[to] != prefixes[from])
            {
                if (to - from > 1)
                {
                    Array.Sort(order, from, to - from, byDigest);
                }
                from = to;
            }
        }
        return order;
    }
}
