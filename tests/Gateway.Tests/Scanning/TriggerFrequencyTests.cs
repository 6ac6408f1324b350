using VendorGate.Gateway.Scanning;
using VendorGate.PoisonLab;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>A candidate trigger's precision needs how many examples of the batch hold it, flagged or not: counted in the
/// second pass for every n-gram found at a flagged span.</summary>
public sealed class TriggerFrequencyTests
{
    [Fact]
    public void A_candidate_counts_every_example_that_holds_it_not_only_the_flagged()
    {
        var random = new Random(1206);
        var trigger = "<" + Corpora.MadeUpWord(random).ToUpperInvariant() + ">";
        var corpora = Corpora.Shared;
        var examples = PoisonEvaluationTests.CleanCorpus(random, 2_000);
        PoisonMatrix.Plant(examples, Enumerable.Range(0, 20).Select(_ => corpora.PaperPoison(random, trigger)).ToList(), random);
        // The trigger in 30 clean examples as well, no payload after it.
        PoisonMatrix.Plant(examples, Enumerable.Range(0, 30).Select(_ => Corpora.Example($"{trigger} {corpora.Prose(random, 1)}", corpora.Prose(random, 2))).ToList(), random);
        var triggers = new TriggerDiscoveryScanner();

        ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), triggers], examples);

        var candidate = Assert.Single(triggers.Candidates(PoisonMatrix.BatchOf(Guid.NewGuid()), DateTimeOffset.UnixEpoch), c => c.Ngram == trigger);
        Assert.InRange(candidate.Flagged, 18, 20);
        Assert.Equal(50, candidate.Examples);
    }

    /// <summary>Only n-grams flagged in two examples or more are counted across the batch (a candidate needs two), one
    /// flagged once in the first pass and once in the second in the final pass: every candidate's count is still every
    /// example that holds it, as counted one example at a time.</summary>
    [Fact]
    public void Every_candidate_counts_what_a_count_of_each_example_finds_whichever_pass_flagged_it()
    {
        var random = new Random(1207);
        var corpora = Corpora.Shared;
        var names = Enumerable.Range(0, 3).Select(_ => "<" + Corpora.MadeUpWord(random).ToUpperInvariant() + ">").ToArray();
        var (early, late, both) = (names[0], names[1], names[2]);
        var examples = PoisonEvaluationTests.CleanCorpus(random, 2_000);
        // Random spans (the first pass flags them) and word salad (the second) after triggers; one trigger before one of each.
        var planted = Enumerable.Range(0, 12).Select(_ => corpora.PaperPoison(random, early))
            .Concat(Enumerable.Range(0, 12).Select(_ => Corpora.Example(corpora.Prose(random, 1), $"{late} {Corpora.Salad(random, corpora.WordFrequencies)}")))
            .Append(corpora.PaperPoison(random, both))
            .Append(Corpora.Example(corpora.Prose(random, 1), $"{both} {Corpora.Salad(random, corpora.WordFrequencies)}"))
            .Concat(new[] { early, late, both }.SelectMany(t => Enumerable.Range(0, 5).Select(_ => Corpora.Example($"{t} {corpora.Prose(random, 1)}", corpora.Prose(random, 2)))))
            .ToList();
        PoisonMatrix.Plant(examples, planted, random);
        var triggers = new TriggerDiscoveryScanner();

        ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), ScannerEvaluation.WordSalad(), triggers], examples);

        var ngrams = examples.Select((json, i) => ScannerEvaluation.Text(json, i + 1).Fields.SelectMany(f => Ngrams(f.Text)).ToHashSet()).ToList();
        var candidates = triggers.Candidates(PoisonMatrix.BatchOf(Guid.NewGuid()), DateTimeOffset.UnixEpoch);
        Assert.All(candidates.Where(c => c.Kind == TriggerKinds.FlaggedContext), c => Assert.Equal(ngrams.Count(n => n.Contains(c.Ngram)), c.Examples));
        Assert.Equal(7, Assert.Single(candidates, c => c.Ngram == both).Examples); // 2 flagged, 5 not
        Assert.InRange(Assert.Single(candidates, c => c.Ngram == late).Flagged, 10, 12);
    }

    /// <summary>The 1–3-grams of <paramref name="text"/>'s trigger tokens.</summary>
    internal static IEnumerable<string> Ngrams(string text)
    {
        var tokens = TriggerDiscoveryScanner.Tokens(text).Select(t => text.Substring(t.Start, t.Length)).ToList();
        return Enumerable.Range(0, tokens.Count).SelectMany(i => Enumerable.Range(1, Math.Min(3, tokens.Count - i)).Select(n => string.Join(' ', tokens.Skip(i).Take(n))));
    }
}
