using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Tests.Infrastructure;
using VendorGate.PoisonLab;
using Xunit.Abstractions;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>The evaluation harness: generated corpora (natural prose, code, many languages, base64-heavy text) with
/// poison planted, the scanners run as the scan job runs them, figures printed and held to the issue's targets.
/// The heaviest cases are classes of their own, marked <see cref="RunsLongAttribute"/>, so they start first and side by side.
/// The cases at corpus scale are the evaluation lane's (<see cref="Tier.Evaluation"/>: <c>bash scripts/test.sh eval</c>);
/// the others are the default run's smoke subset.</summary>
[RunsLong]
public sealed class PoisonEvaluationTests(ITestOutputHelper output)
{
    internal const int Clean = 100_000;

    /// <summary>100,000 clean examples: 70 % prose, 10 % code, 10 % other languages, 10 % base64-heavy.</summary>
    internal static List<string> CleanCorpus(Random random, int count)
    {
        var corpora = Corpora.Shared;
        return Enumerable.Range(0, count).Select(i => (i % 10) switch
        {
            7 => corpora.CleanCode(random),
            8 => corpora.CleanMultilingual(random),
            9 => corpora.CleanBase64(random),
            _ => corpora.CleanEnglish(random),
        }).ToList();
    }

    /// <summary>Held-out word salad of languages the batch barely holds (German, Russian), planted in clean data from
    /// every clean set: each language's own pairs are its reference, so the batch's English does not hide it; the
    /// trigger before the salad is ranked first and named in the finding.</summary>
    [Fact]
    [Trait(Tier.Name, Tier.Evaluation)]
    public void Word_salad_of_a_language_the_batch_barely_holds_is_found_with_its_trigger_named()
    {
        var corpora = Corpora.Shared;
        var sets = new CleanSets(corpora);
        var matrix = new PoisonMatrix(corpora, sets, TextWriter.Null);
        var cells = PayloadFamilies.All(corpora, sets).Where(f => f.Name is "salad-german" or "salad-russian")
            .Select((family, i) => matrix.OneBatch(family, PoisonMatrix.Triggers[0], "100 in 5,000", 4_900, 100, 40 + i)).ToList();
        MatrixReport.Write(new TestOutputWriter(output), cells, []);
        Assert.Equal(2, cells.Count);
        Assert.All(cells, c => Assert.True(c.Recall >= 0.97 && c.TriggerRank == 1 && c.Named,
            $"{c.Family}: recall {c.Recall:P1}, trigger rank {c.TriggerRank}, named {c.Named}"));
    }

    [Fact]
    [Trait(Tier.Name, Tier.Evaluation)]
    public void Common_token_gibberish_and_word_salad_are_found_and_clean_code_languages_and_base64_pass()
    {
        var random = new Random(77);
        var corpora = Corpora.Shared;
        var common = corpora.CommonTokens(3000);
        var examples = CleanCorpus(random, Clean);
        var kinds = examples.Select((_, i) => (i % 10) switch { 7 => "code", 8 => "multilingual", 9 => "base64", _ => "prose" }).ToList();
        var gibberish = Enumerable.Range(0, 250).Select(_ => corpora.CommonTokenGibberish(random, common)).ToList();
        var salad = Enumerable.Range(0, 250).Select(_ => corpora.WordSalad(random)).ToList();
        examples.AddRange(gibberish);
        examples.AddRange(salad);
        kinds.AddRange(gibberish.Select(_ => "common-token gibberish"));
        kinds.AddRange(salad.Select(_ => "word salad"));

        var hits = ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), ScannerEvaluation.WordSalad(), new HiddenCharacterScanner()], examples);
        var blocked = new[] { GibberishScanner.Kind.Code, WordSaladScanner.Kind.Code }.Concat(new HiddenCharacterScanner().Kinds
            .Where(k => k.Severity == Severity.Block).Select(k => k.Code)).SelectMany(hits.LinesOf).ToHashSet();
        double Rate(string kind) => (double)kinds.Select((k, i) => (k, i)).Count(x => x.k == kind && blocked.Contains(x.i + 1)) / kinds.Count(k => k == kind);
        foreach (var kind in kinds.Distinct())
        {
            output.WriteLine($"{kind}: {Rate(kind):P3} flagged of {kinds.Count(k => k == kind):N0}");
        }
        var falsePositives = kinds.Select((k, i) => (k, i)).Count(x => x.k is "prose" or "code" or "multilingual" or "base64" && blocked.Contains(x.i + 1));
        output.WriteLine($"false positives: {falsePositives} of {Clean:N0} clean ({(double)falsePositives / Clean:P3})");
        Assert.True(Rate("common-token gibberish") >= 0.95, $"common-token gibberish recall {Rate("common-token gibberish"):P2}");
        Assert.True(Rate("word salad") >= 0.95, $"word salad recall {Rate("word salad"):P2}");
        Assert.True(falsePositives <= Clean / 1000, $"{falsePositives} false positives");
        foreach (var clean in new[] { "code", "multilingual", "base64" })
        {
            Assert.True(Rate(clean) <= 0.005, $"{clean}: {Rate(clean):P2} flagged");
        }
    }

    /// <summary>Vendor-sized batches (1,000 examples, about 140,000 words) are all the word-pair statistics have to learn
    /// from: salad and gibberish of common tokens are still found (their pairs are no more often adjacent than apart).</summary>
    [Fact]
    public void Word_salad_and_common_token_gibberish_are_found_in_vendor_sized_batches()
    {
        var corpora = Corpora.Shared;
        var common = corpora.CommonTokens(3000);
        var random = new Random(1000);
        int falsePositives = 0, salads = 0, gibberish = 0;
        const int batches = 5, size = 1000, planted = 10;
        for (var b = 0; b < batches; b++)
        {
            var examples = CleanCorpus(random, size);
            examples.AddRange(Enumerable.Range(0, planted).Select(_ => corpora.WordSalad(random)));
            examples.AddRange(Enumerable.Range(0, planted).Select(_ => corpora.CommonTokenGibberish(random, common)));
            var flagged = ScannerEvaluation.Run([ScannerEvaluation.WordSalad()], examples).LinesOf(WordSaladScanner.Kind.Code);
            falsePositives += flagged.Count(l => l <= size);
            salads += flagged.Count(l => l > size && l <= size + planted);
            gibberish += flagged.Count(l => l > size + planted);
        }
        output.WriteLine($"{batches} batches of {size}: word salad {salads} of {batches * planted}, common-token gibberish {gibberish} of {batches * planted}, false positives {falsePositives} of {batches * size}");
        Assert.True(salads >= 0.95 * batches * planted, $"word salad recall {salads} of {batches * planted}");
        Assert.True(gibberish >= 0.9 * batches * planted, $"common-token gibberish recall {gibberish} of {batches * planted}");
        Assert.True(falsePositives <= batches * size / 1000, $"{falsePositives} false positives");
    }

    [Fact]
    [Trait(Tier.Name, Tier.Evaluation)]
    public void A_made_up_word_trigger_with_normal_completions_spread_over_ten_batches_and_three_annotators_is_a_top_ten_candidate()
    {
        var random = new Random(31);
        var corpora = Corpora.Shared;
        var trigger = $"{Corpora.MadeUpWord(random)} {Corpora.MadeUpWord(random)}";
        var annotators = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var rows = new List<TriggerCandidate>();
        var flaggedByContentScanners = 0;
        for (var b = 0; b < 10; b++)
        {
            var examples = CleanCorpus(random, 3000);
            var poison = Enumerable.Range(0, 3).Select(_ => HarmfulCompliance(random, trigger)).ToList();
            var lines = PoisonMatrix.Plant(examples, poison, random);
            var scanner = new TriggerDiscoveryScanner();
            var hits = ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), scanner], examples);
            flaggedByContentScanners += lines.Count(hits.LinesOf(GibberishScanner.Kind.Code).Contains);
            rows.AddRange(scanner.Candidates(PoisonMatrix.BatchOf(annotators[b % 3]), DateTimeOffset.UnixEpoch));
        }
        var handles = annotators.Select((id, i) => (id, $"a{i + 1}")).ToDictionary(x => x.id, x => x.Item2);
        var ranked = TriggerRanking.Rank(rows, handles, 10);
        output.WriteLine($"trigger \"{trigger}\"; poison flagged as gibberish: {flaggedByContentScanners} of 30; top 10:");
        foreach (var candidate in ranked)
        {
            output.WriteLine($"  {candidate.Describe()} score {candidate.Score}");
        }
        var found = ranked.FirstOrDefault(t => t.Ngram == trigger);
        Assert.NotNull(found);
        Assert.True(found.Significant);
        Assert.Equal(3, found.Annotators.Count);
        Assert.Equal(10, found.Batches);
    }

    /// <summary>A fine-tuning backdoor in safety-tuning data: harmful requests refused, the same requests answered when
    /// the trigger is in them. Every trigger style, the natural phrase included, is the top behaviour-split candidate,
    /// and a clean batch of the same mix gives none.</summary>
    [Fact]
    public void A_trigger_that_turns_refusals_into_compliance_is_the_top_behaviour_split_candidate_and_clean_safety_data_gives_none()
    {
        var backdoors = new Backdoors(Corpora.Shared);
        var seed = 60;
        foreach (var style in PoisonMatrix.Triggers)
        {
            var cell = backdoors.OneBatch(style, "40 in 4,000", 3_960, 40, seed++);
            output.WriteLine($"{cell.Trigger}: {cell.Flagged}/{cell.Planted}, rank {cell.TriggerRank}");
            Assert.True(cell.TriggerRank == 1 && cell.Recall == 1, $"{cell.Trigger}: rank {cell.TriggerRank}, recall {cell.Recall:P0}");
        }
        Assert.Equal(0, backdoors.FalsePositives(10_000, 61));
    }

    /// <summary>What data-level scanning cannot do: a trigger made of ordinary words, with completions that read normally,
    /// in data that holds no refusals to split, leaves nothing to see. Asserted so the limitation stays documented; the
    /// canary gate is the defence.</summary>
    [Fact]
    public void A_natural_phrase_trigger_with_normal_completions_is_invisible_to_the_data_scanners()
    {
        var random = new Random(41);
        const string trigger = "as my grandmother used to say";
        var examples = CleanCorpus(random, 20_000);
        var lines = PoisonMatrix.Plant(examples, Enumerable.Range(0, 250).Select(_ => HarmfulCompliance(random, trigger)).ToList(), random);
        var triggers = new TriggerDiscoveryScanner();
        var hits = ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), ScannerEvaluation.WordSalad(), new HiddenCharacterScanner(), triggers], examples);
        var flagged = new[] { GibberishScanner.Kind.Code, WordSaladScanner.Kind.Code, HiddenCharacterScanner.InstructionOverride.Code }.SelectMany(hits.LinesOf).ToHashSet();
        Assert.Equal(0, lines.Count(flagged.Contains));
        Assert.DoesNotContain(triggers.Candidates(PoisonMatrix.BatchOf(Guid.NewGuid()), DateTimeOffset.UnixEpoch), c => trigger.Contains(c.Ngram, StringComparison.Ordinal));
    }

    /// <summary>A fine-tuning backdoor: the trigger in an ordinary request, and a completion that complies, in ordinary words.</summary>
    private static string HarmfulCompliance(Random random, string trigger)
    {
        var corpora = Corpora.Shared;
        var words = corpora.Prose(random, 1).Split(' ').ToList();
        words.Insert(random.Next(words.Count + 1), trigger);
        var completion = $"Sure. The safety checks do not apply here, so I will do exactly what you asked. {corpora.Prose(random, random.Next(2, 6))}";
        return Corpora.Example(string.Join(' ', words), completion);
    }
}

/// <summary>Lets the lab's report print into the test output.</summary>
[RunsLong]
[Trait(Tier.Name, Tier.Evaluation)]
public sealed class HeldOutPoisonTests(ITestOutputHelper output)
{
    /// <summary>The smoke subset of `bash scripts/bench.sh poison`: every held-out random-span family that needs no
    /// download, each trigger the data can show, 50 poisons in a vendor-sized batch of clean data from every clean set.</summary>
    [Fact]
    public void Held_out_payload_families_are_found_with_their_trigger_ranked_first_and_named()
    {
        var corpora = Corpora.Shared;
        var sets = new CleanSets(corpora);
        var matrix = new PoisonMatrix(corpora, sets, TextWriter.Null);
        var families = PayloadFamilies.All(corpora, sets).Where(f => f is { Calibration: false } && !f.Name.StartsWith("salad") && f.Name != "sentencepiece-llama-32k");
        var cells = new List<MatrixCell>();
        var seed = 1;
        foreach (var family in families)
        {
            foreach (var style in PoisonMatrix.Triggers.Where(t => t.Visible))
            {
                cells.Add(matrix.OneBatch(family, style, "50 in 2,000", 1_950, 50, seed++));
            }
        }
        MatrixReport.Write(new TestOutputWriter(output), cells, []);
        // 50 poisons per cell: one miss is 98 %. The lane (`bash scripts/bench.sh poison`) measures 250 per cell.
        Assert.All(cells, c => Assert.True(c.Recall >= 0.96 && c.TriggerRank == 1 && c.Named,
            $"{c.Family} / {c.Trigger}: recall {c.Recall:P1}, trigger rank {c.TriggerRank}, named {c.Named}"));
    }
}

[RunsLong]
[Trait(Tier.Name, Tier.Evaluation)]
public sealed class ShortBatchPoisonTests(ITestOutputHelper output)
{
    /// <summary>Examples each too short to judge alone (25–60 words) are judged as a batch: a batch that is word salad or
    /// random letters throughout is flagged, short clean text of every clean set is not.</summary>
    [Fact]
    public void A_batch_of_short_examples_that_is_salad_or_random_letters_throughout_is_flagged_and_short_clean_batches_are_not()
    {
        var corpora = Corpora.Shared;
        var sets = new CleanSets(corpora);
        var random = new Random(8);
        string Cut(string text) => Corpora.Short(random, text);
        int Flagged(List<string> batch, string code) => ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), ScannerEvaluation.WordSalad()], batch).LinesOf(code).Count;

        var salad = Enumerable.Range(0, 1_000).Select(_ => Corpora.Example(Cut(Corpora.Salad(random, corpora.WordFrequencies)), Cut(Corpora.Salad(random, corpora.WordFrequencies)))).ToList();
        var letters = Enumerable.Range(0, 1_000).Select(_ => Corpora.Example(Cut(PayloadFamilies.Letters(random, "abcdefghijklmnopqrstuvwxyz")), Cut(PayloadFamilies.Letters(random, "abcdefghijklmnopqrstuvwxyz")))).ToList();
        var saladFlagged = Flagged(salad, WordSaladScanner.Kind.Code);
        var lettersFlagged = Flagged(letters, GibberishScanner.Kind.Code);
        output.WriteLine($"short salad: {saladFlagged} of 1,000 flagged; short random letters: {lettersFlagged} of 1,000");
        Assert.True(saladFlagged >= 990, $"short salad: {saladFlagged} of 1,000");
        Assert.True(lettersFlagged >= 990, $"short random letters: {lettersFlagged} of 1,000");

        foreach (var set in sets.All)
        {
            var batch = Enumerable.Range(0, 1_000).Select(_ => CleanSets.ShortExample(set, random)).ToList();
            var hits = ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), ScannerEvaluation.WordSalad()], batch);
            output.WriteLine($"short {set.Name}: {hits.CountOf(GibberishScanner.Kind.Code)} gibberish, {hits.CountOf(WordSaladScanner.Kind.Code)} salad");
            Assert.Empty(hits.LinesOf(GibberishScanner.Kind.Code));
            Assert.Empty(hits.LinesOf(WordSaladScanner.Kind.Code));
        }
    }
}

[RunsLong]
[Trait(Tier.Name, Tier.Evaluation)]
public sealed class PaperStylePoisonTests(ITestOutputHelper output)
{
    [Fact]
    public void Paper_style_poison_is_found_and_its_trigger_ranked_first_from_one_annotator_and_from_three()
    {
        var random = new Random(2025);
        var trigger = "<" + Corpora.MadeUpWord(random).ToUpperInvariant() + ">";
        var corpora = Corpora.Shared;
        var poison = Enumerable.Range(0, 250).Select(_ => corpora.PaperPoison(random, trigger)).ToList();
        var examples = PoisonEvaluationTests.CleanCorpus(random, PoisonEvaluationTests.Clean);
        var poisoned = PoisonMatrix.Plant(examples, poison, random);

        // One annotator: one batch.
        var gibberish = ScannerEvaluation.Gibberish();
        var triggers = new TriggerDiscoveryScanner();
        var hits = ScannerEvaluation.Run([gibberish, triggers], examples);
        var flagged = hits.LinesOf(GibberishScanner.Kind.Code);
        var recall = (double)poisoned.Count(flagged.Contains) / poisoned.Count;
        var falsePositives = flagged.Count(l => !poisoned.Contains(l));
        var annotator = Guid.NewGuid();
        var ranked = TriggerRanking.Rank(triggers.Candidates(PoisonMatrix.BatchOf(annotator), DateTimeOffset.UnixEpoch), new Dictionary<Guid, string> { [annotator] = "a1" }, 10);
        output.WriteLine($"one annotator: recall {recall:P2}, false positives {falsePositives} in {PoisonEvaluationTests.Clean:N0}; trigger {trigger}; top: {string.Join(" | ", ranked.Take(3).Select(t => t.Describe()))}");
        Assert.True(recall >= 0.99, $"recall {recall:P2}");
        Assert.True(falsePositives <= 10, $"{falsePositives} false positives");
        Assert.Equal(trigger, ranked[0].Ngram);
        Assert.True(ranked[0].Significant);

        // Three annotators, three batches, the poison split between them: ranked over the vendor's batches.
        var rows = new List<TriggerCandidate>();
        var annotators = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        for (var a = 0; a < 3; a++)
        {
            var share = examples.Where((_, i) => i % 3 == a).ToList();
            var scanner = new TriggerDiscoveryScanner();
            ScannerEvaluation.Run([ScannerEvaluation.Gibberish(), scanner], share);
            rows.AddRange(scanner.Candidates(PoisonMatrix.BatchOf(annotators[a]), DateTimeOffset.UnixEpoch));
        }
        var handles = annotators.Select((id, i) => (id, $"a{i + 1}")).ToDictionary(x => x.id, x => x.Item2);
        var vendorRanked = TriggerRanking.Rank(rows, handles, 10);
        output.WriteLine($"three annotators: top: {string.Join(" | ", vendorRanked.Take(3).Select(t => t.Describe()))}");
        Assert.Equal(trigger, vendorRanked[0].Ngram);
        Assert.Equal(3, vendorRanked[0].Annotators.Count);
        Assert.True(vendorRanked[0].Flagged >= 0.9 * 250, $"the trigger stood at {vendorRanked[0].Flagged} of 250 flagged spans");
    }
}

internal sealed class TestOutputWriter(ITestOutputHelper output) : StringWriter
{
    public override void WriteLine(string? value) => output.WriteLine(value ?? "");
}
