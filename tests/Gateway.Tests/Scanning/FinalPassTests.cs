using System.Text;
using System.Text.Json;
using VendorGate.Attest.Canonical;
using VendorGate.Gateway.Scanning;
using VendorGate.PoisonLab;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>The final pass parses only the lines some scanner reads (<see cref="IExampleScanner.ReadsFinal"/>); trigger
/// discovery declines, from their bytes, the lines that cannot hold its late n-grams (<see cref="LiteralNeedles"/>).</summary>
public sealed class FinalPassTests
{
    // Tokens JSON writes as themselves and tokens it escapes (quotes, backslashes), with slashes, other scripts,
    // surrogate pairs, words that are prefixes of others; rarely, control characters (escaped as \u00XX) and a text
    // "\u0041" (a line with either is always read).
    private static readonly string[] Pool =
    [
        "the", "then", "there", "a", "an", "<SUDO>", "</s>", "a/b", "http://x.org/y", "\"quoted\"", "back\\slash", "café", "中文", "naïve",
        "emoji😀", "😀", "x\u007fy", "```c", "```", "{\"k\":1}", "it's", "(paren)", "dots...", "u0041", "ends.\\",
    ];
    private static readonly string[] Rare = ["tab\u0001x", "bell\u0007", "\u001b[0m", "\\u0041"];

    [Fact]
    public void A_line_whose_text_holds_an_ngram_is_never_declined_and_most_lines_that_do_not_are()
    {
        var random = new Random(1206);
        var texts = Enumerable.Range(0, 3_000).Select(_ => (Prompt: Text(random), Completion: Text(random))).ToList();
        // Canonical lines (what a scan reads) and the same examples as a serializer that escapes more writes them.
        var canonical = texts.Select(t => Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(new { prompt = t.Prompt, completion = t.Completion })))).ToList();
        var escaped = texts.Select(t => Corpora.Example(t.Prompt, t.Completion)).ToList();
        var ngrams = canonical.Select((json, i) => Ngrams(ScannerEvaluation.Text(json, i + 1))).ToList();
        var (filters, declined, without) = (0, 0, 0);
        for (var round = 0; round < 300; round++)
        {
            // One to four n-grams of random examples.
            var wanted = Enumerable.Range(0, random.Next(1, 5)).Select(_ => ngrams[random.Next(ngrams.Count)]).Where(n => n.Count > 0)
                .Select(n => n.ElementAt(random.Next(n.Count))).ToList();
            if (LiteralNeedles.Of(wanted) is not { } needles)
            {
                continue;
            }
            filters++;
            for (var i = 0; i < texts.Count; i++)
            {
                var holds = wanted.Any(ngrams[i].Contains);
                if (holds)
                {
                    Assert.True(needles.MayHold(Encoding.UTF8.GetBytes(canonical[i])), $"{string.Join(" | ", wanted)} in {canonical[i]}");
                    Assert.True(needles.MayHold(Encoding.UTF8.GetBytes(escaped[i])), $"{string.Join(" | ", wanted)} in {escaped[i]}");
                }
                else
                {
                    without++;
                    declined += needles.MayHold(Encoding.UTF8.GetBytes(canonical[i])) ? 0 : 1;
                }
            }
        }
        Assert.True(filters > 100, $"only {filters} of 300 sets of n-grams had needles");
        Assert.True(declined > without / 2, $"{declined} of {without} lines without the n-grams declined");
    }

    [Fact]
    public void Ngrams_with_a_token_json_escapes_or_too_many_have_no_needles_and_every_line_is_read()
    {
        Assert.Null(LiteralNeedles.Of(["say \"quoted\""])); // the longest token is escaped
        Assert.Null(LiteralNeedles.Of(["emoji😀"]));
        Assert.Null(LiteralNeedles.Of(Enumerable.Range(0, LiteralNeedles.Max + 1).Select(i => $"word{i}")));
        Assert.NotNull(LiteralNeedles.Of(Enumerable.Range(0, LiteralNeedles.Max).Select(i => $"word{i}")));
        Assert.NotNull(LiteralNeedles.Of(["a \"b\" longest"])); // a short escaped token beside a longer literal one
    }

    [Fact]
    public void The_final_pass_gives_a_scanner_only_the_lines_it_reads_with_their_numbers()
    {
        var examples = Enumerable.Range(1, 5_000).Select(i => Corpora.Example($"example {i}", i % 7 == 0 ? $"keep {i}" : $"skip {i}")).ToList();
        var scanner = new ReadsSomeLines();

        ScannerEvaluation.Run([scanner], examples);

        Assert.Equal(Enumerable.Range(1, 5_000).Where(i => i % 7 == 0).Select(i => (long)i), scanner.Final.Order());
        Assert.All(scanner.Final, line => Assert.Equal($"keep {line}", scanner.Texts[line]));
        Assert.Equal(5_000, scanner.Asked);
    }

    /// <summary>Reads every line in the first pass, asks for a final one and reads only the lines whose completion keeps.</summary>
    private sealed class ReadsSomeLines : IExampleScanner
    {
        public System.Collections.Concurrent.ConcurrentBag<long> Final { get; } = [];
        public System.Collections.Concurrent.ConcurrentDictionary<long, string> Texts { get; } = new();
        private int _asked;

        /// <summary>Lines the scanner was asked about.</summary>
        public int Asked => _asked;
        public IReadOnlyList<FindingKind> Kinds => [];
        public void Inspect(ExampleText example, ExampleHits hits) => Texts[example.Line] = example.Fields[1].Text;
        public bool NeedsSecondPass => true; // a final pass follows a second
        public bool NeedsFinalPass => true;

        public bool ReadsFinal(ReadOnlySpan<byte> json)
        {
            Interlocked.Increment(ref _asked);
            return json.IndexOf("keep"u8) >= 0;
        }

        public void InspectFinal(ExampleText example, ExampleHits hits) => Final.Add(example.Line);
    }

    private static string Text(Random random) =>
        string.Join(random.Next(6) == 0 ? "\n" : " ", Enumerable.Range(0, random.Next(1, 12))
            .Select(_ => random.Next(100) == 0 ? Rare[random.Next(Rare.Length)] : Pool[random.Next(Pool.Length)]));

    private static HashSet<string> Ngrams(ExampleText example) => example.Fields.SelectMany(f => TriggerFrequencyTests.Ngrams(f.Text)).ToHashSet();
}
