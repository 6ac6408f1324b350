using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace VendorGate.Gateway.Batches.Scanning;

public sealed class WordSaladOptions
{
    public const string Section = "VendorGate:Scan:WordSalad";

    /// <summary>Words per window; a window moves by half of it.</summary>
    public int Window { get; set; } = 40;

    /// <summary>A word pair is judged when both words occur at least this often in the batch.</summary>
    public int MinCount { get; set; } = 5;

    /// <summary>Windows with fewer judged pairs are not judged.</summary>
    public int MinJudged { get; set; } = 12;

    /// <summary>Flag a window whose adjacent words are on average less associated than this (bits of pointwise mutual
    /// information; natural text is well above, independent words near zero).</summary>
    public double MinCoherence { get; set; }

    /// <summary>How many consecutive windows must all be incoherent.</summary>
    public int Run { get; set; } = 3;

    /// <summary>Batches with fewer words than this are too small to learn from; they are not judged.</summary>
    public long MinWords { get; set; } = 20_000;

    /// <summary>Examples of the current corpus (approved and merged batches, newest first) read into the statistics as a
    /// reference before the batch: small batches then have enough text to learn from, and a batch that is all salad
    /// is judged against natural text. 0 judges each batch against itself alone.</summary>
    public int CorpusSample { get; set; } = 20_000;
}

/// <summary>Real words in an order no language uses (word salad, or gibberish built from common tokens), which the
/// token and vocabulary measures of <see cref="GibberishScanner"/> cannot see. The first pass learns how often each
/// word and each adjacent word pair occurs in the batch and in a sample of the current corpus (count-min sketches,
/// fixed memory); the second flags windows where frequent words sit next to each other far less often than chance
/// would put them there ("the of", "and is"): natural text of any language is made of its own frequent pairs, salad
/// of pairs its language avoids.</summary>
public sealed class WordSaladScanner(IOptions<WordSaladOptions> options) : IExampleScanner
{
    public static readonly FindingKind Kind = new("word-salad", Severity.Block,
        "real words in implausible order (word salad or common-token gibberish)");

    private readonly WordSaladOptions _options = options.Value;
    private CountMinSketch _words = new(12);
    private CountMinSketch _pairs = new(12);
    private long _total;

    public IReadOnlyList<FindingKind> Kinds => [Kind];

    public bool NeedsSecondPass => true;

    /// <summary>Sketches sized to the content (at most 96 MB in all, for batches of 256 MB and more).</summary>
    public async ValueTask PrepareAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var bytes = (context.Batch.ContentBytes ?? 0) + _options.CorpusSample * 700L;
        _words = CountMinSketch.ForContent(bytes);
        _pairs = CountMinSketch.ForContent(bytes, extraBits: 1);
        if (_options.CorpusSample > 0 && context.Db is { } db)
        {
            await LearnFromCorpusAsync(context, db, cancellationToken);
        }
    }

    private async Task LearnFromCorpusAsync(BatchScanContext context, Storage.VendorGateDb db, CancellationToken cancellationToken)
    {
        string[] corpus = [BatchStatus.Approved, BatchStatus.Merged];
        var batches = (await db.Batches.AsNoTracking().Where(b => corpus.Contains(b.Status) && b.Id != context.Batch.Id && b.ContentBlob != null)
            .Select(b => new { b.Id, b.ContentBlob, b.DeclaredDomains }).ToListAsync(cancellationToken)).OrderByDescending(b => b.Id); // v7 ids: newest first
        var remaining = _options.CorpusSample;
        foreach (var batch in batches)
        {
            await using var stream = await context.Blobs.OpenReadAsync(batch.ContentBlob!, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream);
            while (remaining > 0 && await reader.ReadLineAsync(cancellationToken) is { Length: > 0 } line)
            {
                Inspect(ExampleText.Parse(System.Text.Encoding.UTF8.GetBytes(line), 0, []), null!);
                remaining--;
            }
            if (remaining == 0)
            {
                break;
            }
        }
    }

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        long n = 0;
        foreach (var field in example.Fields)
        {
            ulong previous = 0;
            foreach (var word in Words(field.Text))
            {
                _words.Increment(word);
                if (previous != 0)
                {
                    _pairs.Increment(Pair(previous, word));
                }
                previous = word;
                n++;
            }
        }
        Interlocked.Add(ref _total, n);
    }

    public void InspectAgain(ExampleText example, ExampleHits hits)
    {
        if (_total < _options.MinWords)
        {
            return;
        }
        foreach (var field in example.Fields)
        {
            if (Judge(field.Text) is { } evidence)
            {
                hits.Add(Kind, example.Line, $"{field.Role}: {evidence}");
                return;
            }
        }
    }

    internal long Total => _total;

    internal string? Judge(string text) =>
        LeastCoherentRun(text) is { } w && w.Coherence < _options.MinCoherence
            ? $"words {w.From + 1}-{w.To}: frequent adjacent words avoid each other ({w.Coherence:0.00} bits against chance; natural text is above zero)"
            : null;

    /// <summary>The least coherent run of <see cref="WordSaladOptions.Run"/> consecutive windows (a run is as coherent as
    /// its most coherent window): one odd sentence makes one low window, salad makes them all low.</summary>
    internal (int From, int To, double Coherence)? LeastCoherentRun(string text)
    {
        var windows = Windows(text);
        var run = _options.Run;
        (int, int, double)? least = null;
        for (var i = 0; i + run <= windows.Count; i++)
        {
            var level = windows.Skip(i).Take(run).Max(w => w.Coherence);
            if (least is null || level < least.Value.Item3)
            {
                least = (windows[i].From, windows[i + run - 1].To, level);
            }
        }
        return least;
    }

    /// <summary>Per window of <see cref="WordSaladOptions.Window"/> words with enough judged pairs: the mean over pairs
    /// of words seen at least <see cref="WordSaladOptions.MinCount"/> times of log2((seen elsewhere + ½) / (expected by
    /// chance + ½)), clipped to ±8 bits: positive for collocations, about zero for pairs too rare to judge, negative for
    /// frequent words that avoid each other.</summary>
    private List<(int From, int To, double Coherence)> Windows(string text)
    {
        var words = Words(text).ToList();
        var window = _options.Window;
        var windows = new List<(int, int, double)>();
        for (var from = 0; from + 1 < words.Count; from += window / 2)
        {
            var to = Math.Min(words.Count, from + window);
            double sum = 0;
            var pairs = 0;
            for (var i = from + 1; i < to; i++)
            {
                double first = _words.Estimate(words[i - 1]), second = _words.Estimate(words[i]);
                if (first < _options.MinCount || second < _options.MinCount)
                {
                    continue;
                }
                // Elsewhere: this example's own occurrence of the pair was counted too.
                var elsewhere = _pairs.Estimate(Pair(words[i - 1], words[i])) - 1;
                sum += Math.Clamp(Math.Log2((elsewhere + 0.5) / (first * second / _total + 0.5)), -8, 8);
                pairs++;
            }
            if (pairs >= _options.MinJudged)
            {
                windows.Add((from, to, sum / pairs));
            }
            if (to == words.Count)
            {
                break;
            }
        }
        return windows;
    }

    /// <summary>Hashes of the lowercased letter runs of <paramref name="text"/> (any script); never zero.</summary>
    private static IEnumerable<ulong> Words(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var letter = i < text.Length && char.IsLetter(text[i]);
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                yield return Hash(text, start, i - start);
                start = -1;
            }
        }
    }

    private static ulong Hash(string text, int start, int length)
    {
        Span<char> lower = stackalloc char[Math.Min(length, 64)];
        text.AsSpan(start, lower.Length).ToLowerInvariant(lower);
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes((ReadOnlySpan<char>)lower)) | 1;
    }

    private static ulong Pair(ulong first, ulong second) => (first * 0x9E3779B97F4A7C15UL) ^ second;
}
