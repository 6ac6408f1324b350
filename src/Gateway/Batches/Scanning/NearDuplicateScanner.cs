using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace VendorGate.Gateway.Batches.Scanning;

/// <summary>Near-duplicates inside the batch: MinHash over word 4-shingles (24 hashes) with LSH in 6 bands of 4. Two
/// examples sharing two or more bands are near-duplicates (Jaccard ≳ 0.6); exact repeats are left to
/// <see cref="DuplicateInBatchScanner"/>. A cheap way to raise a poison's count is to paraphrase it lightly.</summary>
public sealed class NearDuplicateScanner : IExampleScanner, IBatchScanner
{
    public const string Code = "near-duplicate";
    private const int Hashes = 24, Bands = 6, Rows = Hashes / Bands, Shingle = 4, MinWords = 8;
    private static readonly ulong[] Seeds = Enumerable.Range(1, Hashes).Select(i => (ulong)i * 0x9E3779B97F4A7C15UL).ToArray();

    private ulong[] _bands = [];

    public IReadOnlyList<FindingKind> Kinds => [];

    public ValueTask PrepareAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        _bands = new ulong[context.Count * Bands]; // 48 bytes an example; 0 = too short to judge
        return ValueTask.CompletedTask;
    }

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        var words = new List<ulong>();
        foreach (var field in example.Fields)
        {
            foreach (var word in field.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                words.Add(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(word.ToLowerInvariant().AsSpan())));
            }
        }
        if (words.Count < MinWords)
        {
            return;
        }
        Span<ulong> minima = stackalloc ulong[Hashes];
        minima.Fill(ulong.MaxValue);
        for (var i = 0; i + Shingle <= words.Count; i++)
        {
            var shingle = words[i] ^ (words[i + 1] * 31) ^ (words[i + 2] * 961) ^ (words[i + 3] * 29791);
            for (var h = 0; h < Hashes; h++)
            {
                var value = Mix(shingle ^ Seeds[h]);
                if (value < minima[h])
                {
                    minima[h] = value;
                }
            }
        }
        var slot = (example.Line - 1) * Bands;
        for (var b = 0; b < Bands; b++)
        {
            var band = 0xCBF29CE484222325UL;
            for (var r = 0; r < Rows; r++)
            {
                band = Mix(band ^ minima[b * Rows + r]);
            }
            _bands[slot + b] = (band | 1) ^ (ulong)b; // distinct per band, never 0
        }
    }

    public Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        // Pairs sharing a band, counted; sort per band instead of hashing pairs: 8 bytes an example per band.
        var shared = new Dictionary<(int, int), int>();
        var order = new int[context.Count];
        var keys = new ulong[context.Count];
        for (var b = 0; b < Bands; b++)
        {
            for (var i = 0; i < order.Length; i++)
            {
                order[i] = i;
                keys[i] = _bands[i * Bands + b];
            }
            Array.Sort(keys, order);
            // Pair each member of a bucket with its first member: n near-copies give n-1 pairs, not n².
            var first = 0;
            for (var i = 1; i < order.Length; i++)
            {
                if (keys[i] != keys[first])
                {
                    first = i;
                }
                else if (keys[i] != 0 && !context.DigestAt(order[i]).SequenceEqual(context.DigestAt(order[first])))
                {
                    var pair = (Math.Min(order[i], order[first]), Math.Max(order[i], order[first]));
                    shared[pair] = shared.GetValueOrDefault(pair) + 1;
                }
            }
        }
        var near = shared.Where(p => p.Value >= 2).Select(p => p.Key).OrderBy(p => p.Item2).ToList();
        if (near.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<ScanFinding>>([]);
        }
        var lines = near.Select(p => p.Item2 + 1L).Distinct().Order().ToList();
        IReadOnlyList<ScanFinding> findings =
        [
            new ScanFinding(Code, Severity.Warn,
                $"{lines.Count} example(s) nearly repeat an earlier example of this batch (MinHash similarity ≳ 0.6); the first is line {lines[0]}.",
                lines.Take(BatchScanContext.MaxLinesPerFinding).ToList(),
                near.Take(ExampleHits.MaxEvidence).Select(p => $"line {p.Item2 + 1} ≈ line {p.Item1 + 1}").ToList()),
        ];
        return Task.FromResult(findings);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53UL;
        return x ^ (x >> 33);
    }
}
