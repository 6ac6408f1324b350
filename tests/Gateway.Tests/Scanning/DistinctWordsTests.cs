using System.Text;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>The gibberish scanner's words: counted as the scanner always counted them, and the bound that lets it skip
/// the character model for a field never skips one that a run could flag.</summary>
public sealed class DistinctWordsTests
{
    // Pieces of text the words are made of: cases, accents, digits, punctuation (and the ASCII characters either side of
    // the letters' ranges), Han, kana, Hangul, a surrogate pair.
    private static readonly string[] Pieces =
    [
        "the", "The", "cat", "CAT", "été", "ÉTÉ", "x", "1", "23", " ", " ", ", ", ". ", "-", "\n", "@", "[", "`", "{", "_", "\u00b5",
        "\u4e00", "\u4e8c", "\u4e09", "\u3042", "\uac00", "\ud83d\ude00", "zq", "wombat", "Straße",
    ];

    private static string RandomText(Random random, int pieces, int vocabulary)
    {
        var text = new StringBuilder();
        for (var i = 0; i < pieces; i++)
        {
            text.Append(random.Next(4) == 0 ? "w" + random.Next(vocabulary) : Pieces[random.Next(Pieces.Length)]);
        }
        return text.ToString();
    }

    /// <summary>How many words <paramref name="span"/> has and how many differ, as the scanner counted them before they
    /// had places: strings in a set.</summary>
    private static (int Words, int Distinct) Reference(string span)
    {
        var words = ReferenceWords(span);
        return (words.Count, words.Select(w => w.Word).Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>Windows whose starts and ends rise, as the scanner's do, anywhere in a text of <paramref name="length"/>
    /// characters (cutting words or not).</summary>
    private static List<(int Start, int End)> RandomPlaces(Random random, int length)
    {
        var places = new List<(int Start, int End)>();
        var (start, end) = (0, 0);
        while (start < length)
        {
            end = Math.Min(length, Math.Max(end, start + 1 + random.Next(40)));
            places.Add((start, end));
            start += 1 + random.Next(20);
        }
        return places;
    }

    [Fact]
    public void Words_are_counted_as_letter_runs_of_two_or_more_and_pairs_of_a_large_alphabet()
    {
        Assert.Equal((5, 3), DistinctWords.Count("The cat, THE CAT a x1 wombat"));
        Assert.Equal((3, 2), DistinctWords.Count("\u4e00\u4e8c\u4e00\u4e8c")); // pairs overlap: 一二, 二一, 一二
        var random = new Random(20261205);
        for (var trial = 0; trial < 500; trial++)
        {
            var text = RandomText(random, random.Next(0, 120), vocabulary: 30);
            Assert.Equal(Reference(text), DistinctWords.Count(text));
        }
    }

    [Fact]
    public void A_span_the_bound_rules_out_never_holds_enough_distinct_words()
    {
        var random = new Random(17);
        var (ruledOut, allowed) = (0, 0);
        for (var trial = 0; trial < 3000; trial++)
        {
            var text = RandomText(random, random.Next(20, 200), vocabulary: random.Next(1, 60));
            var places = RandomPlaces(random, text.Length);
            var (count, minWords, minShare) = (random.Next(1, 4), random.Next(2, 12), random.NextDouble());
            if (DistinctWords.AnySpanMayHave(text, places, minWords, minShare, count))
            {
                allowed++;
                continue;
            }
            ruledOut++;
            for (var i = 0; i + count <= places.Count; i++)
            {
                var (words, distinct) = Reference(text[places[i].Start..places[i + count - 1].End]);
                Assert.False(words >= minWords && (double)distinct / words >= minShare,
                    $"ruled out, yet {distinct} of {words} words differ in \"{text[places[i].Start..places[i + count - 1].End]}\"");
            }
        }
        Assert.True(ruledOut > 50 && allowed > 50, $"{ruledOut} ruled out, {allowed} allowed: the trials should see both");
    }

    /// <summary>The words of <paramref name="text"/> with their places, read character by character: letter runs of two or
    /// more, lowercased, and each pair of adjacent characters of a large alphabet.</summary>
    private static List<(int Start, int End, string Word)> ReferenceWords(string text)
    {
        var words = new List<(int, int, string)>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && !SpanSurprisal.IsLargeAlphabet(text[i]) && char.IsLetter(text[i]))
            {
                start = start < 0 ? i : start;
                continue;
            }
            if (start >= 0 && i - start >= 2)
            {
                words.Add((start, i, text[start..i].ToLowerInvariant()));
            }
            start = -1;
            if (i + 1 < text.Length && SpanSurprisal.IsLargeAlphabet(text[i]) && SpanSurprisal.IsLargeAlphabet(text[i + 1]))
            {
                words.Add((i, i + 2, text.Substring(i, 2)));
            }
        }
        return words;
    }

    [Fact]
    public void The_bound_counts_the_words_wholly_inside_a_span_and_two_more_as_documented()
    {
        var random = new Random(29);
        var (allowed, ruledOut) = (0, 0);
        for (var trial = 0; trial < 3000; trial++)
        {
            // Long texts with large vocabularies too: the table of a text's words grows many times over.
            var text = RandomText(random, random.Next(20, trial % 10 == 0 ? 3000 : 200), vocabulary: random.Next(1, trial % 10 == 0 ? 5000 : 60));
            var places = RandomPlaces(random, text.Length);
            var (count, minWords, minShare) = (random.Next(1, 4), random.Next(2, 12), random.NextDouble());
            var words = ReferenceWords(text);
            var expected = Enumerable.Range(0, Math.Max(0, places.Count - count + 1)).Any(i =>
            {
                var inside = words.Where(w => w.Start >= places[i].Start && w.End <= places[i + count - 1].End).ToList();
                var distinct = inside.Select(w => w.Word).Distinct(StringComparer.Ordinal).Count();
                return inside.Count + 2 >= minWords && (double)(distinct + 2) / (inside.Count + 2) >= minShare;
            });
            Assert.True(expected == DistinctWords.AnySpanMayHave(text, places, minWords, minShare, count), $"\"{text}\": expected {expected}");
            Assert.Equal(Reference(text), DistinctWords.Count(text));
            (allowed, ruledOut) = expected ? (allowed + 1, ruledOut) : (allowed, ruledOut + 1);
        }
        Assert.True(ruledOut > 50 && allowed > 50, $"{ruledOut} ruled out, {allowed} allowed: the trials should see both");
    }

    [Fact]
    public void Prose_that_repeats_its_words_is_not_measured_and_a_random_tail_after_it_still_is()
    {
        var scanner = new GibberishScanner(Options.Create(new GibberishOptions()));
        var prose = string.Concat(Enumerable.Repeat("The annotator labels each example, and the reviewer checks the labels of the batch. ", 30));
        Assert.Empty(scanner.FlaggedRuns(prose).Windows);

        var random = new Random(3);
        var tail = string.Join(' ', Enumerable.Range(0, 200).Select(_ => new string([.. Enumerable.Range(0, random.Next(3, 9)).Select(_ => (char)('a' + random.Next(26)))])));
        var (runs, windows) = scanner.FlaggedRuns(prose + tail);
        Assert.NotEmpty(windows);
        Assert.Contains(runs, r => r.End > prose.Length);
    }
}
