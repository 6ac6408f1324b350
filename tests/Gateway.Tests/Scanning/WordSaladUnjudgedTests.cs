using VendorGate.Gateway.Scanning;
using VendorGate.PoisonLab;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>Word order is judged from 20,000 words (batch and corpus sample); below that the scanner says it did not
/// judge, on the batch as a whole, instead of passing in silence.</summary>
public sealed class WordSaladUnjudgedTests
{
    [Fact]
    public void A_batch_too_small_to_judge_says_so_and_a_large_one_does_not()
    {
        var random = new Random(17);
        var corpora = Corpora.Shared;
        var small = Enumerable.Range(0, 20).Select(_ => corpora.CleanEnglish(random)).ToList();
        var large = Enumerable.Range(0, 2_000).Select(_ => corpora.CleanEnglish(random)).ToList();

        var smallHits = ScannerEvaluation.Run([ScannerEvaluation.WordSalad()], small);
        var largeHits = ScannerEvaluation.Run([ScannerEvaluation.WordSalad()], large);

        var unjudged = Assert.Single(smallHits.ToFindings());
        Assert.Equal((WordSaladScanner.Unjudged.Code, "warn"), (unjudged.Code, unjudged.Severity));
        Assert.Empty(unjudged.Lines);
        Assert.Matches(@"They hold [\d,]+ words; word order is judged from 20,000", unjudged.Message);
        Assert.Empty(largeHits.ToFindings()); // clean English prose, enough of it to judge: nothing to report
    }
}
