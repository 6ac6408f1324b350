using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Scanning.Language;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Scanning;

/// <summary>Near-duplicates: MinHash over word 4-shingles (24 hashes) with LSH in 6 bands of 4. Two examples sharing two
/// or more bands are near-duplicates (Jaccard ≳ 0.6). Inside the batch (exact repeats are left to
/// <see cref="DuplicateInBatchScanner"/>) and against the current corpus: every scan keeps its batch's band keys
/// (48 bytes an example, <c>scans/{id}/minhash.bands</c>), and the approved and merged batches' keys are what the corpus holds.
/// A cheap way to raise a poison's count is to paraphrase it lightly.</summary>
public sealed class NearDuplicateScanner : IExampleScanner, IBatchScanner
{
    public const string Code = "near-duplicate";
    public const string CorpusCode = "near-duplicate-of-corpus";
    private static readonly string[] Corpus = BatchStatus.Accepted;
    internal const int Bands = 6;
    internal const int Hashes = 24;
    private const int Rows = Hashes / Bands, Shingle = 4, MinWords = 8;
    internal static readonly ulong[] Seeds = Enumerable.Range(1, Hashes).Select(i => (ulong)i * 0x9E3779B97F4A7C15UL).ToArray();

    private ulong[] _bands = [];
    // The word hashes of the example being read, one list per scanning thread, reused example after example.
    [ThreadStatic] private static List<ulong>? t_words;

    public IReadOnlyList<FindingKind> Kinds => [];

    public ValueTask PrepareAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        _bands = ScanMemory.Array<ulong>(context.Count * Bands); // 48 bytes an example; 0 = too short to judge
        return ValueTask.CompletedTask;
    }

    /// <summary>The hashes of the words of <paramref name="example"/>'s fields into <paramref name="words"/> (cleared
    /// first): words split at whitespace, found 64 characters at a time (<see cref="CharacterMasks.Cursor"/>), each hashed
    /// by its first 64 characters lowercased. Band keys stored by earlier scans are compared with new ones: the hashes
    /// must not change.</summary>
    internal static List<ulong> WordHashes(ExampleText example, List<ulong> words)
    {
        words.Clear();
        Span<char> lower = stackalloc char[64];
        foreach (var field in example.Fields)
        {
            var text = field.Text;
            var spaces = new CharacterMasks.Cursor(text, CharacterMasks.WhiteSpace);
            for (var at = spaces.Next(0, set: false); at < text.Length;)
            {
                var end = spaces.Next(at, set: true);
                var word = CharacterMasks.ToLowerInvariant(text, at, Math.Min(end - at, lower.Length), lower);
                words.Add(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(word)));
                at = spaces.Next(end, set: false);
            }
        }
        return words;
    }

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        var words = WordHashes(example, t_words ??= new List<ulong>(1024));
        if (words.Count < MinWords)
        {
            return;
        }
        Span<ulong> minima = stackalloc ulong[Hashes];
        MinHash(words, minima);
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

    public void WriteState(int pass, BinaryWriter writer)
    {
        if (pass == 1)
        {
            ShardState.WriteUsed(writer, _bands);
        }
    }

    public void MergeState(int pass, BinaryReader reader)
    {
        if (pass == 1)
        {
            ShardState.MergeUsed(reader, _bands, static (here, there) => here | there);
        }
    }

    public static string BandsBlob(Guid batchId) => $"scans/{batchId}/minhash.bands";

    public async Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        // Kept for the scans of later batches, which compare against the corpus's bands.
        context.Artifacts.Blobs[BandsBlob(context.Batch.Id)] = ScanArtifacts.ValuesBlob(_bands);
        var findings = new List<ScanFinding>();
        findings.AddRange(InBatch(context));
        findings.AddRange(await AgainstCorpusAsync(context, cancellationToken));
        return findings;
    }

    private async Task<IEnumerable<ScanFinding>> AgainstCorpusAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var db = context.Reads;
        var id = context.Batch.Id;
        var corpus = await db.Batches.Where(b => Corpus.Contains(b.Status) && b.Id != id).Select(b => b.Id).ToListAsync(cancellationToken);
        var known = await CorpusBands.GetAsync(context.Blobs, corpus, cancellationToken);
        if (known.All(k => k.Length == 0))
        {
            return [];
        }
        var near = new List<long>();
        for (var line = 0; line < context.Count; line++)
        {
            var shared = 0;
            for (var b = 0; b < Bands; b++)
            {
                var key = _bands[line * Bands + b];
                shared += key != 0 && Array.BinarySearch(known[b], key) >= 0 ? 1 : 0;
            }
            if (shared >= 2)
            {
                near.Add(line + 1L);
            }
        }
        // Exact copies are duplicate-of-received's to report.
        var exact = (await (
            from mine in db.ExampleOccurrences
            where mine.BatchId == id
            join other in db.ExampleOccurrences on mine.Digest equals other.Digest
            where corpus.Contains(other.BatchId)
            select mine.Line).Distinct().ToListAsync(cancellationToken)).Select(l => l + 1L).ToHashSet();
        near.RemoveAll(exact.Contains);
        if (near.Count == 0)
        {
            return [];
        }
        return
        [
            new ScanFinding(CorpusCode, Severity.Warn,
                $"{near.Count} example(s) nearly repeat an example of the current corpus (approved or merged batches); the first is line {near[0]}.",
                near.Take(BatchScanContext.MaxLinesPerFinding).ToList()),
        ];
    }

    private IEnumerable<ScanFinding> InBatch(BatchScanContext context)
    {
        // Pairs sharing a band, counted; sort per band instead of hashing pairs: 8 bytes an example per band.
        var shared = new Dictionary<(int, int), int>();
        var order = ScanMemory.Array<int>(context.Count);
        var keys = ScanMemory.Array<ulong>(context.Count);
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
            yield break;
        }
        var lines = near.Select(p => p.Item2 + 1L).Distinct().Order().ToList();
        yield return new ScanFinding(Code, Severity.Warn,
            $"{lines.Count} example(s) nearly repeat an earlier example of this batch (MinHash similarity ≳ 0.6); the first is line {lines[0]}.",
            lines.Take(BatchScanContext.MaxLinesPerFinding).ToList(),
            near.Take(ExampleHits.MaxEvidence).Select(p => $"line {p.Item2 + 1} ≈ line {p.Item1 + 1}").ToList());
    }

    /// <summary>Per seed, the least hash of <paramref name="words"/>' 4-shingles: each shingle's 24 hashes four at a time
    /// (<see cref="Mix(Vector256{ulong})"/>, the same bits as <see cref="Mix(ulong)"/> on each lane).</summary>
    internal static void MinHash(List<ulong> words, Span<ulong> minima)
    {
        Span<Vector256<ulong>> lanes = stackalloc Vector256<ulong>[Hashes / 4];
        lanes.Fill(Vector256<ulong>.AllBitsSet);
        var seeds = MemoryMarshal.Cast<ulong, Vector256<ulong>>(Seeds);
        for (var i = 0; i + Shingle <= words.Count; i++)
        {
            var shingle = Vector256.Create(words[i] ^ (words[i + 1] * 31) ^ (words[i + 2] * 961) ^ (words[i + 3] * 29791));
            for (var v = 0; v < lanes.Length; v++)
            {
                lanes[v] = Vector256.Min(lanes[v], Mix(shingle ^ seeds[v]));
            }
        }
        MemoryMarshal.Cast<Vector256<ulong>, ulong>(lanes).CopyTo(minima);
    }

    private static Vector256<ulong> Mix(Vector256<ulong> x)
    {
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >>> 33;
        x *= 0xC4CEB9FE1A85EC53UL;
        return x ^ (x >>> 33);
    }

    internal static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53UL;
        return x ^ (x >> 33);
    }
}

/// <summary>The band keys of the current corpus's examples, sorted per band. Every scan compares against them and they
/// change only when a batch joins or leaves the corpus, so they are read once per corpus state and kept (the last, per
/// Gateway), keyed by the corpus's batches; every scan read every corpus batch's keys before (48 bytes an example).</summary>
internal static class CorpusBands
{
    public static Task<ulong[][]> GetAsync(IBlobReader blobs, IReadOnlyList<Guid> corpus, CancellationToken cancellationToken)
    {
        if (corpus.Count == 0)
        {
            return Task.FromResult(Enumerable.Range(0, NearDuplicateScanner.Bands).Select(_ => Array.Empty<ulong>()).ToArray()); // nothing to read or keep
        }
        var ids = corpus.Order().ToArray();
        var key = XxHash128.HashToUInt128(MemoryMarshal.AsBytes(ids.AsSpan()));
        return CorpusStateCache<UInt128, ulong[][]>.Of(blobs).GetAsync(key, async () =>
        {
            var known = Enumerable.Range(0, NearDuplicateScanner.Bands).Select(_ => new List<ulong>()).ToArray();
            foreach (var batch in ids)
            {
                var name = NearDuplicateScanner.BandsBlob(batch);
                if (!await blobs.ExistsAsync(name, cancellationToken))
                {
                    continue; // scanned before band keys were kept
                }
                var keys = MemoryMarshal.Cast<byte, ulong>(await blobs.ReadAllBytesAsync(name, cancellationToken));
                for (var i = 0; i < keys.Length; i++)
                {
                    if (keys[i] != 0)
                    {
                        known[i % NearDuplicateScanner.Bands].Add(keys[i]);
                    }
                }
            }
            return known.Select(band => { var sorted = band.ToArray(); Array.Sort(sorted); return sorted; }).ToArray();
        }, cancellationToken);
    }
}
