using VendorGate.Gateway.Scanning;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>The compact state a large scan keeps: count-min sketches with 16-bit counters, and word salad's incoherent
/// lines as bits plus the first lines' measures. Both write and merge as the shards of a sharded scan do.</summary>
public sealed class ScanStateTests
{
    [Fact]
    public void A_narrow_sketch_counts_as_a_wide_one_below_its_limit_and_stops_there()
    {
        var (wide, narrow) = (new CountMinSketch(10), new CountMinSketch(10, narrow: true));
        Parallel.For(0, 200_000, i =>
        {
            var key = (ulong)(i % 1000) * 0x9E3779B97F4A7C15UL;
            wide.Increment(key);
            narrow.Increment(key);
        });
        Parallel.For(0, 70_000, _ =>
        {
            wide.Increment(42); // one key past the limit
            narrow.Increment(42);
        });

        for (var k = 0UL; k < 1000; k++)
        {
            var key = k * 0x9E3779B97F4A7C15UL;
            if (wide.Estimate(key) < CountMinSketch.NarrowLimit)
            {
                Assert.Equal(wide.Estimate(key), narrow.Estimate(key));
            }
        }
        Assert.True(wide.Estimate(42) >= 70_000); // a wide sketch counts on
        Assert.Equal(CountMinSketch.NarrowLimit, narrow.Estimate(42));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Examples_counted_together_from_many_threads_give_the_counters_of_keys_counted_one_by_one(bool narrow)
    {
        // 4,000 examples of 1 to 300 keys, drawn from a skewed vocabulary (a few keys in nearly every example, past a
        // narrow counter's limit, and counters in every stripe), counted by IncrementAll on every core at once.
        var random = new Random(23);
        var examples = Enumerable.Range(0, 4_000).Select(_ => Enumerable.Range(0, random.Next(1, 300))
            .Select(_ => (ulong)(random.Next(4) == 0 ? random.Next(4) : random.Next(50_000)) * 0x9E3779B97F4A7C15UL + 1).ToArray()).ToList();
        var (together, oneByOne) = (new CountMinSketch(12, narrow), new CountMinSketch(12, narrow));
        for (var round = 0; round < 3; round++)
        {
            Parallel.ForEach(examples, keys => together.IncrementAll(keys));
        }
        foreach (var key in Enumerable.Repeat(examples, 3).SelectMany(e => e).SelectMany(keys => keys))
        {
            oneByOne.Increment(key);
        }

        Assert.Equal(Bytes(oneByOne), Bytes(together));
        var hot = 1UL; // the first of the four keys in a quarter of every example's places: about 110,000 times
        Assert.True(oneByOne.Estimate(hot) >= Math.Min(CountMinSketch.NarrowLimit, 3 * examples.Sum(keys => keys.Count(k => k == hot))));
        // Merged, the two count as the keys counted six times over, one by one.
        var (merged, sixTimes) = (new CountMinSketch(12, narrow), new CountMinSketch(12, narrow));
        merged.Merge(Written(together.Write));
        merged.Merge(Written(oneByOne.Write));
        foreach (var key in Enumerable.Repeat(examples, 6).SelectMany(e => e).SelectMany(keys => keys))
        {
            sixTimes.Increment(key);
        }
        Assert.Equal(Bytes(sixTimes), Bytes(merged));
        Assert.Equal(narrow ? CountMinSketch.NarrowLimit : 2 * oneByOne.Estimate(hot), merged.Estimate(hot));
    }

    [Fact]
    public void Counters_written_from_every_core_at_once_lose_no_count()
    {
        // The same eight keys from every thread, over and over: any two writers of a counter at once would lose counts.
        var keys = Enumerable.Range(1, 8).Select(k => (ulong)k * 0x9E3779B97F4A7C15UL).ToArray();
        var sketch = new CountMinSketch(12);
        Parallel.For(0, 100_000, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount) }, _ => sketch.IncrementAll(keys));
        Parallel.For(0, 100_000, _ => sketch.Increment(keys[0]));

        Assert.Equal(200_000, sketch.Estimate(keys[0]));
        Assert.All(keys[1..], key => Assert.Equal(100_000, sketch.Estimate(key)));
    }

    private static byte[] Bytes(CountMinSketch sketch) => ((MemoryStream)Written(sketch.Write).BaseStream).ToArray();

    [Fact]
    public void A_reused_set_comes_back_empty_and_one_grown_by_a_huge_example_is_replaced()
    {
        HashSet<ulong>? set = null;
        var first = ScanMemory.Emptied(ref set);
        first.UnionWith([1, 2, 3]);
        var again = ScanMemory.Emptied(ref set);
        Assert.Same(first, again);
        Assert.Empty(again);

        again.UnionWith(Enumerable.Range(0, ScanMemory.KeptSetCount + 1).Select(i => (ulong)i));
        var replaced = ScanMemory.Emptied(ref set);
        Assert.NotSame(again, replaced);
        Assert.Same(set, replaced);
        Assert.Empty(replaced);
    }

    [Fact]
    public void Narrow_sketches_merge_by_adding_and_stop_at_the_limit()
    {
        var (a, b) = (new CountMinSketch(8, narrow: true), new CountMinSketch(8, narrow: true));
        for (var i = 0; i < 40_000; i++)
        {
            a.Increment(7);
            b.Increment(7);
        }
        b.Increment(9);

        var merged = new CountMinSketch(8, narrow: true);
        merged.Merge(Written(a.Write));
        merged.Merge(Written(b.Write));

        Assert.Equal(CountMinSketch.NarrowLimit, merged.Estimate(7)); // 80,000 counted, stopped at the limit
        Assert.Equal(1, merged.Estimate(9));
        Assert.Throws<InvalidDataException>(() => new CountMinSketch(9, narrow: true).Merge(Written(a.Write)));
    }

    [Fact]
    public void Incoherent_lines_keep_every_line_and_the_first_lines_measures_across_shards()
    {
        var (whole, first, second) = (new IncoherentLines(), new IncoherentLines(), new IncoherentLines());
        foreach (var lines in new[] { whole, first, second })
        {
            lines.Prepare(5_000);
        }
        // Lines arrive out of order, as parallel chunks finish; prompts (side 0) on every third line, completions on every fifth.
        var fields = Enumerable.Range(1, 5_000).Reverse()
            .SelectMany(line => new[] { (Line: line, Side: 0), (Line: line, Side: 1) })
            .Where(f => f.Line % (f.Side == 0 ? 3 : 5) == 0)
            .Select(f => new IncoherentField(f.Line, f.Line / 1000f, f.Line % 7, f.Side)).ToList();
        Parallel.ForEach(fields, whole.Add);
        fields.Where(f => f.Line <= 2_500).ToList().ForEach(first.Add);
        fields.Where(f => f.Line > 2_500).ToList().ForEach(second.Add);
        var merged = new IncoherentLines();
        merged.Prepare(5_000);
        merged.Merge(Written(second.Write));
        merged.Merge(Written(first.Write));

        foreach (var lines in new[] { whole, merged })
        {
            var (evidence, others, count) = lines.Of([true, true]);
            Assert.Equal(fields.Count, count);
            Assert.Equal(fields.OrderBy(f => f.Line).ThenBy(f => f.Side).Take(IncoherentLines.Evidenced), evidence);
            Assert.Equal(fields.Count - IncoherentLines.Evidenced, others.Count());
            Assert.Equal(fields.Select(f => (f.Line, f.Side)).Order(), evidence.Select(f => (f.Line, f.Side)).Concat(others).Order());

            var (completions, rest, completionCount) = lines.Of([false, true]);
            Assert.Equal(fields.Count(f => f.Side == 1), completionCount);
            Assert.All(completions.Concat(rest.Select(o => new IncoherentField(o.Line, 0, 0, o.Side))), f => Assert.Equal(1, f.Side));
            Assert.Equal(new long[] { 5, 10, 15 }, completions.Take(3).Select(f => f.Line));
        }
    }

    private static BinaryReader Written(Action<BinaryWriter> write)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }
        stream.Position = 0;
        return new BinaryReader(stream);
    }
}
