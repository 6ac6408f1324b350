using System.Runtime.InteropServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>What <see cref="WordSaladScanner"/> learns from text, in count-min sketches of fixed memory: every word, every
/// adjacent pair of prose-joined words and every pair two to four words apart, and how many words. Thread-safe; counts
/// of the same size add up (the shards of a scan).</summary>
public sealed class WordCounts(CountMinSketch words, CountMinSketch adjacent, CountMinSketch distant)
{
    private long _total;

    public CountMinSketch Words => words;
    public CountMinSketch Adjacent => adjacent;
    public CountMinSketch Distant => distant;
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Sized to <paramref name="contentBytes"/> of text (<see cref="CountMinSketch.ForContent"/>; pairs twice the
    /// words), with narrow counters: word salad reads small counts and ratios of counts.</summary>
    public static WordCounts ForContent(long contentBytes) => new(CountMinSketch.ForContent(contentBytes, narrow: true),
        CountMinSketch.ForContent(contentBytes, extraBits: 1, narrow: true), CountMinSketch.ForContent(contentBytes, extraBits: 1, narrow: true));

    /// <summary>The smallest sketches (48 KB in all): what a scanner holds before it is prepared and after its passes.</summary>
    public static WordCounts Small() => new(new(12), new(12), new(12));

    // An example's words and pairs, gathered per scanning thread and counted together (CountMinSketch.IncrementAll).
    [ThreadStatic] private static List<ulong>? t_words, t_adjacent, t_distant;

    public void Count(ExampleText example)
    {
        var (all, adjacentPairs, distantPairs) = (t_words ??= [], t_adjacent ??= [], t_distant ??= []);
        all.Clear();
        adjacentPairs.Clear();
        distantPairs.Clear();
        Span<ulong> recent = stackalloc ulong[WordSaladScanner.Distances + 1];
        foreach (var field in example.Fields)
        {
            var run = 0; // words of the current run of prose-joined words
            foreach (var (word, joined, _, _) in WordSaladScanner.Words(field.Text))
            {
                all.Add(word);
                run = joined ? run + 1 : 1;
                if (run > 1)
                {
                    adjacentPairs.Add(WordSaladScanner.Pair(recent[(run - 2) % recent.Length], word));
                }
                for (var d = 2; d <= WordSaladScanner.Distances + 1 && d < run; d++)
                {
                    distantPairs.Add(WordSaladScanner.Pair(recent[(run - 1 - d) % recent.Length], word));
                }
                recent[(run - 1) % recent.Length] = word;
            }
        }
        words.IncrementAll(CollectionsMarshal.AsSpan(all));
        adjacent.IncrementAll(CollectionsMarshal.AsSpan(adjacentPairs));
        distant.IncrementAll(CollectionsMarshal.AsSpan(distantPairs));
        Interlocked.Add(ref _total, all.Count);
    }

    public void Write(BinaryWriter writer)
    {
        words.Write(writer);
        adjacent.Write(writer);
        distant.Write(writer);
        writer.Write(Total);
    }

    public void Merge(BinaryReader reader)
    {
        words.Merge(reader);
        adjacent.Merge(reader);
        distant.Merge(reader);
        Interlocked.Add(ref _total, reader.ReadInt64());
    }
}

/// <summary>The word counts of a sample of the current corpus (the newest approved and merged batches' first examples, up to
/// <see cref="WordSaladOptions.CorpusSample"/>), the reference a batch's word order is judged with beside its own. The
/// sample is the same for every scan until a batch joins or leaves the corpus, so it is read once per corpus state and
/// kept (the last one, per Gateway), keyed by the batches it was read from; it was read again by every scan before (a
/// fixed cost of about a second, whatever the batch's size).</summary>
public static class CorpusReference
{
    public static async Task<WordCounts?> GetAsync(BatchScanContext context, int sample, CancellationToken cancellationToken)
    {
        var corpus = BatchStatus.Accepted;
        var candidates = (await context.Reads.Batches.Where(b => corpus.Contains(b.Status) && b.Id != context.Batch.Id && b.ContentBlob != null)
            .Select(b => new { b.Id, b.ContentBlob, b.Count }).ToListAsync(cancellationToken)).OrderByDescending(b => b.Id); // v7 ids: newest first
        var batches = new List<(Guid Id, string ContentBlob)>();
        long examples = 0;
        foreach (var batch in candidates.TakeWhile(_ => examples < sample))
        {
            batches.Add((batch.Id, batch.ContentBlob!));
            examples += batch.Count ?? 0;
        }
        if (batches.Count == 0)
        {
            return null;
        }
        var key = $"{sample}:{string.Join(',', batches.Select(b => b.Id))}";
        return await CorpusStateCache<string, WordCounts>.Of(context.Blobs).GetAsync(key, async () =>
        {
            var counts = WordCounts.ForContent(sample * 700L);
            var remaining = sample;
            foreach (var batch in batches)
            {
                await using var stream = await context.Blobs.OpenReadAsync(batch.ContentBlob, cancellationToken: cancellationToken);
                using var reader = new StreamReader(stream);
                while (remaining > 0 && await reader.ReadLineAsync(cancellationToken) is { Length: > 0 } line)
                {
                    counts.Count(ExampleText.Parse(Encoding.UTF8.GetBytes(line), 0, []));
                    remaining--;
                }
            }
            return counts;
        }, cancellationToken);
    }
}
