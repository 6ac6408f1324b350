using VendorGate.Gateway.Scanning;
using VendorGate.PoisonLab;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>Where the word-salad scanner draws its lines: a list in code is not a sentence, a batch that is salad
/// as a whole has no examples it cannot judge, and words too rare to judge their order are judged by whether they repeat.</summary>
public sealed class WordSaladListsTests
{
    private static readonly Corpora Corpora = Corpora.Shared;

    /// <summary>A C header whose comments are two to four common words in no particular order, one comment per line
    /// (as X11's keysym table is): every pair is unseen elsewhere, but no run of words is a sentence.</summary>
    private static string Header(Random random)
    {
        var lines = Enumerable.Range(0, 40).Select(i =>
            $"#define KEY_{i:X4}\t0x{random.Next():X8}   /* {string.Join(' ', Enumerable.Range(0, random.Next(2, 5)).Select(_ => Corpora.WordFrequencies[random.Next(300)].Key))} */");
        return Corpora.Example("Show me the c code.", "```c\n" + string.Join('\n', lines) + "\n```");
    }

    [Fact]
    public void Word_lists_in_code_comments_are_not_word_salad_but_the_same_words_as_prose_are()
    {
        var random = new Random(23);
        var batch = Enumerable.Range(0, 3_000).Select(_ => Corpora.CleanEnglish(random)).ToList();
        var headers = Enumerable.Range(0, 20).Select(_ => Header(random)).ToList();
        // The same kind of words, drawn the same way, written as one run of prose: salad.
        var prose = Enumerable.Range(0, 20).Select(_ => Corpora.Example("Tell me.",
            string.Join(' ', Enumerable.Range(0, 150).Select(_ => Corpora.WordFrequencies[random.Next(300)].Key)))).ToList();
        var headerLines = PoisonMatrix.Plant(batch, headers, random);
        var proseLines = PoisonMatrix.Plant(batch, prose, random);
        // Planting the prose moved the headers' lines: find them again by content.
        headerLines = batch.Select((e, i) => (e, Line: (long)i + 1)).Where(x => headers.Contains(x.e)).Select(x => x.Line).ToHashSet();

        var flagged = ScannerEvaluation.Run([ScannerEvaluation.WordSalad()], batch).LinesOf(WordSaladScanner.Kind.Code);

        Assert.Empty(flagged.Intersect(headerLines));
        Assert.Equal(proseLines.Order(), flagged.Intersect(proseLines).Order());
    }

    [Fact]
    public void A_batch_that_is_salad_as_a_whole_flags_even_its_examples_too_short_to_judge()
    {
        var random = new Random(29);
        var words = Corpora.WordFrequencies;
        // 2,000 salads of 3 to 40 words, the first ten of 3: too few pairs to judge on their own.
        var batch = Enumerable.Range(0, 2_000).Select(i => Corpora.Example("Continue.",
            string.Join(' ', Corpora.Salad(random, words).Split(' ').Take(i < 10 ? 3 : random.Next(3, 41))))).ToList();

        var hits = ScannerEvaluation.Run([ScannerEvaluation.WordSalad()], batch);

        Assert.Equal(batch.Count, hits.CountOf(WordSaladScanner.Kind.Code));
        var finding = Assert.Single(hits.ToFindings(), f => f.Code == WordSaladScanner.Kind.Code);
        Assert.Contains("word salad as a whole", finding.Message);
        Assert.Contains(finding.Evidence ?? [], e => e.Contains("too few to show natural word order"));
    }

    [Fact]
    public void Words_too_rare_for_their_order_to_be_judged_are_salad_when_they_never_repeat_but_not_as_text_or_a_list()
    {
        var random = new Random(31);
        var batch = Enumerable.Range(0, 3_000).Select(_ => Corpora.CleanEnglish(random)).ToList();
        // Rare words (of letters only), each seen once or twice in the batch: their pairs are not judged for order.
        var rare = Corpora.WordFrequencies.Skip(Corpora.WordFrequencies.Count / 4).Select(w => w.Key).Where(w => w.All(char.IsLetter)).ToList();
        string Rare() => rare[random.Next(rare.Count)];
        // A uniform sample of a large vocabulary: 120 words, hardly one repeats.
        var sample = Enumerable.Range(0, 10).Select(_ => Corpora.Example("Continue.", string.Join(' ', Enumerable.Range(0, 120).Select(_ => Rare())))).ToList();
        // The same rare words in sentences: the common words between them repeat.
        var text = Enumerable.Range(0, 10).Select(_ => Corpora.Example("Continue.",
            string.Join(" ", Enumerable.Range(0, 40).Select(_ => $"the {Rare()} of")))).ToList();
        // The same rare words as a list: every gap holds a comma.
        var list = Enumerable.Range(0, 10).Select(_ => Corpora.Example("List them.", string.Join(", ", Enumerable.Range(0, 120).Select(_ => Rare())))).ToList();
        var sampleLines = PoisonMatrix.Plant(batch, sample, random);
        PoisonMatrix.Plant(batch, [.. text, .. list], random);
        sampleLines = batch.Select((e, i) => (e, Line: (long)i + 1)).Where(x => sample.Contains(x.e)).Select(x => x.Line).ToHashSet();
        var benign = batch.Select((e, i) => (e, Line: (long)i + 1)).Where(x => text.Contains(x.e) || list.Contains(x.e)).Select(x => x.Line).ToList();

        var hits = ScannerEvaluation.Run([ScannerEvaluation.WordSalad()], batch);
        var flagged = hits.LinesOf(WordSaladScanner.Kind.Code);

        Assert.Equal(sampleLines.Order(), flagged.Intersect(sampleLines).Order());
        Assert.Equal(20, benign.Count);
        Assert.Empty(flagged.Intersect(benign));
        var finding = Assert.Single(hits.ToFindings(), f => f.Code == WordSaladScanner.Kind.Code);
        Assert.Contains(finding.Evidence ?? [], e => e.Contains("80 words in a row of which 0 repeat an earlier one"));
    }
}

/// <summary>Trigger discovery counts an example once for an n-gram, however many scanners flag it.</summary>
public sealed class TriggerCountTests
{
    [Fact]
    public void An_example_flagged_in_both_passes_counts_once_for_its_trigger()
    {
        var random = new Random(37);
        var batch = Enumerable.Range(0, 2_000).Select(_ => Corpora.Shared.CleanEnglish(random)).ToList();
        // Random letter strings: a random span (first pass) whose words never repeat (word salad, second pass).
        var poison = Enumerable.Range(0, 20).Select(_ => Corpora.Example("Tell me a story.",
            $"<qzvt> {PayloadFamilies.Letters(random, "abcdefghijklmnopqrstuvwxyz")}")).ToList();
        var lines = PoisonMatrix.Plant(batch, poison, random);
        var triggers = new TriggerDiscoveryScanner();

        var hits = ScannerEvaluation.Run(PoisonMatrix.Scanners(triggers), batch);

        var both = hits.LinesOf(GibberishScanner.Kind.Code).Intersect(hits.LinesOf(WordSaladScanner.Kind.Code)).ToList();
        Assert.NotEmpty(both); // the case this test is about
        var annotator = Guid.NewGuid();
        var top = TriggerRanking.Rank(triggers.Candidates(PoisonMatrix.BatchOf(annotator), DateTimeOffset.UnixEpoch), new Dictionary<Guid, string> { [annotator] = "a1" }, 10)[0];
        Assert.Equal(("<qzvt>", 20, 20), (top.Ngram, top.Flagged, top.Examples));
        Assert.Subset(lines.ToHashSet(), hits.LinesOf(GibberishScanner.Kind.Code).ToHashSet());
    }
}
