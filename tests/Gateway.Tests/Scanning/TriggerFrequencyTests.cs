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
}
