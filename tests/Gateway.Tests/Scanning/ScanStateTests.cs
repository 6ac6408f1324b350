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
