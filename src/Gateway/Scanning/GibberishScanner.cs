using Microsoft.Extensions.Options;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Scanning;

public sealed class GibberishOptions
{
    public const string Section = "VendorGate:Scan:Gibberish";

    /// <summary>Consecutive windows (of 128 model characters, moving by 64) that must all cost at least
    /// <see cref="RunBits"/>: a span of about 700 characters. Shorter random spans are not judged by this scanner.</summary>
    public int Run { get; set; } = 10;

    /// <summary>Bits per character every window of a <see cref="Run"/> needs: clearly random text (random letters,
    /// most vocabulary samples), well above natural text.</summary>
    public double RunBits { get; set; } = 5.0;

    /// <summary>Bits per character (reference model, adapted to the text itself) at which a window is random-looking.
    /// Natural text of the reference's languages measures 2–4; samples of token vocabularies 4.4–8, random letters 10
    /// and more.</summary>
    public double MinBits { get; set; } = 4.4;

    /// <summary>A longer run of windows, most of them (<see cref="LongRunShare"/>) random-looking: a payload that dips
    /// below <see cref="MinBits"/> now and then (code tokens, common vocabulary pieces) is still found, and a stretch of
    /// natural text that is expensive for a while (a language the reference knows little of) is not.</summary>
    public int LongRun { get; set; } = 20;

    public double LongRunShare { get; set; } = 0.8;

    /// <summary>A long run is also random-looking when its windows cost this much on average, however many dip below
    /// <see cref="MinBits"/>: a list of identifiers in random order costs 4.6–5.5 on average but has cheap windows
    /// throughout; 2 of 110,000 clean examples have a stretch of 20 windows above 4.6, none above 4.8 (README "Poison detection").</summary>
    public double LongRunMeanBits { get; set; } = 4.8;

    /// <summary>Share of distinct words among the run's words (letter runs of two or more) it needs: a sample of a
    /// vocabulary hardly repeats itself; natural text and code repeat their words.</summary>
    public double MinDistinctWords { get; set; } = 0.85;

    /// <summary>Words a run needs before its distinctness is judged (fewer: the run is not flagged).</summary>
    public int MinWords { get; set; } = 20;

    /// <summary>Fields too short for a run are judged as a batch: about this many of them, evenly spread, are measured
    /// whole, and when at least <see cref="BatchShare"/> of them (and 100 or more) are random-looking throughout, the
    /// batch is gibberish as a whole and those examples are flagged.</summary>
    public int BatchSample { get; set; } = 2_000;

    public double BatchShare { get; set; } = 0.5;
}

/// <summary>What one run of windows measured: its place in the field, the lowest bits per character of its windows,
/// and the share of distinct words.</summary>
public readonly record struct RandomSpanRun(int Start, int End, double Bits, double DistinctWords, int Words);

/// <summary>Spans of random-looking text, the payload of a pre-training backdoor (Souly et al. 2025: a real document's
/// start, a trigger, then 400–900 tokens sampled from a vocabulary). Judged without any tokenizer, so the attacker's
/// choice of vocabulary does not matter: each character's surprisal under a character model of natural text in many
/// languages (<see cref="CharacterModel"/>, which also learns from the text itself, so that repetitive clean text
/// compresses), in sliding windows; a run of windows that are clearly random (<see cref="GibberishOptions.Run"/> all at
/// <see cref="GibberishOptions.RunBits"/>), or mostly random over a longer stretch (<see cref="GibberishOptions.LongRun"/>),
/// whose words hardly repeat is flagged. A clean prefix of any length cannot
/// hide a random tail. Thresholds and the data they were calibrated on: README "Poison detection".</summary>
public sealed class GibberishScanner(IOptions<GibberishOptions> options) : IExampleScanner
{
    public static readonly FindingKind Kind = new("gibberish-span", Severity.Block,
        "spans of random-looking text (characters no language predicts, words that never repeat), the shape of a backdoor payload");

    private readonly GibberishOptions _options = options.Value;
    private readonly CharacterModel _model = CharacterModel.Shared;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(long Line, string Evidence)> _randomShort = new();
    private long _every = 1;
    private int _sampled;

    public ValueTask PrepareAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        _every = Math.Max(1, context.Count / Math.Max(1, _options.BatchSample));
        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<FindingKind> Kinds => [Kind];

    public int Order => -10;

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        var sampled = false;
        string? random = null;
        for (var f = 0; f < example.Fields.Count; f++)
        {
            var text = example.Fields[f].Text;
            if (IsShort(text))
            {
                if (example.Line % _every == 0 && text.Length >= SpanSurprisal.Window / 2)
                {
                    sampled = true;
                    random ??= RandomLooking(example.Fields[f].Role, text);
                }
                continue;
            }
            var (runs, windows) = FlaggedRuns(text);
            if (runs.Count == 0)
            {
                continue;
            }
            var (start, end) = (runs.Min(r => r.Start), runs.Max(r => r.End));
            // The payload starts where its windows start to cost: the windows before the first run that already do
            // belong to it, and the trigger sits just before them, where trigger discovery looks.
            var first = windows.FindIndex(w => w.Start == start);
            while (first > 0 && windows[first - 1].Bits >= _options.MinBits)
            {
                start = windows[--first].Start;
            }
            example.Flagged.Add(new FlaggedSpan(f, start, end));
            var worst = runs.MaxBy(r => r.Bits);
            hits.Add(Kind, example.Line,
                $"{example.Fields[f].Role} chars {start}-{end}: {worst.Bits:0.0} bits/char (natural text 2-4), "
                + $"{worst.DistinctWords:P0} of {worst.Words} words distinct: \"{TextModel.Excerpt(text, start, 60)}\"");
        }
        if (sampled)
        {
            Interlocked.Increment(ref _sampled);
            if (random is not null)
            {
                _randomShort.Enqueue((example.Line, random));
            }
        }
    }

    public void WriteState(int pass, BinaryWriter writer)
    {
        if (pass == 1)
        {
            var random = _randomShort.ToArray();
            writer.Write(_sampled);
            writer.Write(random.Length);
            foreach (var (line, evidence) in random)
            {
                writer.Write(line);
                writer.Write(evidence);
            }
        }
    }

    public void MergeState(int pass, BinaryReader reader)
    {
        if (pass == 1)
        {
            _sampled += reader.ReadInt32();
            for (var n = reader.ReadInt32(); n > 0; n--)
            {
                _randomShort.Enqueue((reader.ReadInt64(), reader.ReadString()));
            }
        }
    }

    private bool IsShort(string text) => text.Length < SpanSurprisal.Window / 2 * (_options.Run + 1);

    /// <summary>A field too short for a run, measured whole: random-looking (the evidence) when its words (five or more)
    /// hardly repeat and its windows cost on average at least <see cref="GibberishOptions.MinBits"/>; otherwise null. The
    /// words are counted first: a field whose words repeat is not random-looking whatever the model says, and counting
    /// them costs a fraction of the model. A small batch has every such field sampled (<see cref="GibberishOptions.BatchSample"/>),
    /// and measuring each one was two fifths of the scans' CPU under the load benchmark.</summary>
    private string? RandomLooking(string role, string text)
    {
        var (words, distinct) = DistinctWords.Count(text);
        if (words < 5 || (double)distinct / words < _options.MinDistinctWords)
        {
            return null;
        }
        var windows = SpanSurprisal.Measure(text, _model);
        var bits = windows.Count == 0 ? 0 : windows.Average(w => w.Bits);
        return bits >= _options.MinBits
            ? $"{role}: {bits:0.0} bits/char (natural text 2-4), {distinct} of {words} words distinct: \"{TextModel.Excerpt(text, 0, 60)}\""
            : null;
    }

    /// <summary>A batch of short fields that are random-looking as a rule (not now and then) is gibberish as a whole.</summary>
    public void Conclude(ExampleHits hits)
    {
        var random = _randomShort.Count;
        if (random < 100 || random < _options.BatchShare * _sampled)
        {
            return;
        }
        foreach (var (line, evidence) in _randomShort.OrderBy(x => x.Line))
        {
            hits.Add(Kind, line, evidence);
        }
        hits.Annotate(Kind.Code, $"{random} of {_sampled} short examples sampled from this batch are random-looking: the batch is gibberish as a whole.", []);
    }

    /// <summary>The random-looking runs of <paramref name="text"/>, and every window measured: <see cref="GibberishOptions.Run"/>
    /// windows that all cost at least <see cref="GibberishOptions.RunBits"/> (their least is the run's bits), or
    /// <see cref="GibberishOptions.LongRun"/> windows of which <see cref="GibberishOptions.LongRunShare"/> cost at least
    /// <see cref="GibberishOptions.MinBits"/> or which cost <see cref="GibberishOptions.LongRunMeanBits"/> on average (their
    /// mean is the run's bits); in either, words that hardly repeat.</summary>
    public (List<RandomSpanRun> Runs, List<SurprisalWindow> Windows) FlaggedRuns(string text)
    {
        var flagged = new List<RandomSpanRun>();
        if (IsShort(text))
        {
            return (flagged, []);
        }
        var windows = SpanSurprisal.Measure(text, _model, MayHoldRun);
        // A field too short for a whole long run (but long enough for a run) is judged as one long run
        var (run, longRun) = (_options.Run, Math.Min(_options.LongRun, windows.Count));
        // (all but one of its windows then: a short stretch of natural text may be expensive throughout)
        var needed = longRun < _options.LongRun ? longRun - 1 : (int)Math.Ceiling(_options.LongRunShare * longRun);
        for (var i = 0; i + run <= windows.Count; i++)
        {
            var least = double.MaxValue;
            for (var k = i; k < i + run && least >= _options.RunBits; k++)
            {
                least = Math.Min(least, windows[k].Bits);
            }
            if (least >= _options.RunBits)
            {
                AddIfDistinct(i, run, least);
                continue;
            }
            // A long run starts and ends on a random-looking window: the span it flags starts where the payload does,
            // not in the natural text before it, where trigger discovery looks.
            if (i + longRun <= windows.Count && windows[i].Bits >= _options.MinBits && windows[i + longRun - 1].Bits >= _options.MinBits)
            {
                var (high, sum) = (0, 0.0);
                for (var k = i; k < i + longRun; k++)
                {
                    high += windows[k].Bits >= _options.MinBits ? 1 : 0;
                    sum += windows[k].Bits;
                }
                if (high >= needed || (longRun == _options.LongRun && sum / longRun >= _options.LongRunMeanBits))
                {
                    AddIfDistinct(i, longRun, sum / longRun);
                }
            }
        }
        return (flagged, windows);

        // Whether the words of some span a run could flag (below) are enough and distinct enough. When none are, nothing
        // is flagged whatever the windows cost, and they are not measured: most of natural text (prose, code, tables)
        // repeats its words within a few hundred characters, and the model is most of this scanner's cost.
        bool MayHoldRun(List<(int Start, int End)> places)
        {
            var (run, longRun) = (_options.Run, Math.Min(_options.LongRun, places.Count));
            return longRun > run
                ? DistinctWords.AnySpanMayHave(text, places, _options.MinWords, _options.MinDistinctWords, run, longRun)
                : DistinctWords.AnySpanMayHave(text, places, _options.MinWords, _options.MinDistinctWords, run);
        }

        void AddIfDistinct(int first, int count, double bits)
        {
            var (start, end) = (windows[first].Start, windows[first + count - 1].End);
            var (words, distinct) = DistinctWords.Count(text.AsSpan(start, end - start));
            var share = words == 0 ? 0 : (double)distinct / words;
            if (words >= _options.MinWords && share >= _options.MinDistinctWords)
            {
                flagged.Add(new RandomSpanRun(start, end, bits, share, words));
            }
        }
    }
}
