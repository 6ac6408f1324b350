using System.Runtime.InteropServices;

namespace VendorGate.Gateway.Batches.Scanning;

/// <summary>Exact repeats inside one batch. Poisoning is an absolute-count attack, and repeating one example
/// is the cheapest way to raise its count, so by default this blocks.</summary>
public sealed class DuplicateInBatchScanner : IBatchScanner
{
    public const string Code = "duplicate-in-batch";

    public Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var firstSeen = new Dictionary<DigestKey, int>(context.Count);
        var lines = new List<long>();
        var repeats = 0;
        for (var line = 0; line < context.Count; line++)
        {
            var key = MemoryMarshal.Read<DigestKey>(context.DigestAt(line));
            if (!firstSeen.TryAdd(key, line))
            {
                repeats++;
                if (lines.Count < BatchScanContext.MaxLinesPerFinding)
                {
                    lines.Add(line + 1);
                }
            }
        }
        IReadOnlyList<ScanFinding> findings = repeats == 0 ? [] :
        [
            new ScanFinding(Code, Severity.Block,
                $"{repeats} example(s) repeat an earlier example of this batch; the first repeat is line {lines[0]}.", lines),
        ];
        return Task.FromResult(findings);
    }

    private readonly record struct DigestKey(Int128 High, Int128 Low);
}
