using System.Buffers;
using System.Text;

namespace VendorGate.Corpus;

/// <summary>
/// Runs the line checks, canonical form and digests (<see cref="ChunkProcessor"/>) over synthetic examples of every
/// shape, so a fresh process has its ingest code optimized before the first upload instead of during it: a fresh
/// Gateway's first 1M upload took 1.72× a warm one's with only the JIT's call-counting delay removed (README "Tests and
/// benchmarks", <c>bash scripts/bench.sh cold</c>). Pure CPU, nothing stored.
/// </summary>
public static class IngestWarmUp
{
    /// <summary>Returns how many examples were accepted (all of them: the synthetic examples are valid, so every stage ran).</summary>
    public static long Run(int rounds = 100)
    {
        var text = new StringBuilder();
        for (var i = 0; i < 2000; i++)
        {
            text.Append(i % 3 == 0
                ? $$$"""{"messages":[{"role":"system","content":"You help with billing, case {{{i}}}."},{"role":"user","content":"Refund for order \u00e9-{{{i}}}?","name":"c"},{"role":"assistant","content":"Yes: five days.\nCase {{{i}}}.","weight":1}],"metadata":{"n":{{{i}}},"tags":["a","b"]}}"""
                : $$$"""{"prompt":"How do I update card {{{i}}}? \"Soon\" please","completion":"Open Settings, then Billing ({{{i * 7}}} steps).","domain":"warm-up","metadata":{"quality":{{{i % 5}}},"x":1.5e3}}""");
            text.Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        long accepted = 0;
        for (var round = 0; round < rounds; round++)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
            bytes.CopyTo(buffer, 0);
            var processed = ChunkProcessor.Process(new Chunk(buffer, bytes.Length, 0, false), 1 << 20, ["warm-up"]);
            accepted += processed.Count;
            ChunkProcessor.Return(processed);
        }
        return accepted;
    }
}
