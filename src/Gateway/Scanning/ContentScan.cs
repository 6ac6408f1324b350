using System.Diagnostics;
using VendorGate.Corpus;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>Reads a batch's canonical content (NDJSON) once per pass and runs every <see cref="IExampleScanner"/> on each
/// example, chunks of whole lines in parallel on every core. Reports progress (examples scanned) every couple of seconds
/// (a pass that ends sooner reports none).
/// The scan job and the evaluation harness run it whole; a sharded scan runs its passes over shards apart (<see cref="ScanShardJob"/>).</summary>
public static class ContentScan
{
    /// <summary>Examples parsed together and then read by one scanner after another (each scanner reads them all, in the
    /// scanners' order): a scanner's tables and buffers stay in the processor's caches across the group instead of
    /// being pushed out by the other scanners' at every example (the sum of the scanners' costs alone is well below
    /// their cost interleaved). Scanners still read an example in their order, so what one marks on it (a flagged
    /// span) is there for the next.</summary>
    private const int GroupSize = 64;
    private const int ChunkSize = 4 << 20; // canonical lines stay far below: uploads allow 1 MiB lines
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(2);

    /// <summary>Scans the content <paramref name="openContent"/> opens from its start (once per pass).</summary>
    public static async Task RunAsync(BatchScanContext context, IReadOnlyList<IExampleScanner> scanners, Func<CancellationToken, Task<Stream>> openContent,
        Func<long, CancellationToken, Task> progress, CancellationToken cancellationToken)
    {
        scanners = await PrepareAsync(context, scanners, cancellationToken);
        var passes = For(2, scanners).Count > 0 ? 2 : 1;
        long scanned = 0;
        for (var pass = 1; pass <= 3 && For(pass, scanners).Count > 0; pass++)
        {
            // The final pass is rare (spans found in the second pass) and short; progress already stands at every example.
            await PassAsync(context, scanners, pass, openContent, 1, pass < 3 ? ReportAsync : static (_, _) => Task.CompletedTask, cancellationToken);
        }
        Conclude(context, scanners);

        // Progress counts examples scanned across the passes, in examples of the batch.
        Task ReportAsync(long examples, CancellationToken ct) => progress(Interlocked.Add(ref scanned, examples) / passes, ct);
    }

    /// <summary>The scanners in the order they read each example, each prepared for <paramref name="context"/>.</summary>
    public static async Task<IReadOnlyList<IExampleScanner>> PrepareAsync(BatchScanContext context, IEnumerable<IExampleScanner> scanners,
        CancellationToken cancellationToken)
    {
        var ordered = scanners.OrderBy(s => s.Order).ThenBy(s => s.GetType().Name, StringComparer.Ordinal).ToList();
        foreach (var scanner in ordered)
        {
            await scanner.PrepareAsync(context, cancellationToken);
        }
        return ordered;
    }

    /// <summary>The scanners that read pass <paramref name="pass"/>: every one; those that judge against the whole batch
    /// (<see cref="IExampleScanner.NeedsSecondPass"/>); those that asked, after the second, for a final one.</summary>
    public static IReadOnlyList<IExampleScanner> For(int pass, IReadOnlyList<IExampleScanner> scanners) => pass switch
    {
        1 => scanners,
        2 => scanners.Where(s => s.NeedsSecondPass).ToList(),
        3 => scanners.Where(s => s.NeedsFinalPass).ToList(),
        _ => throw new ArgumentOutOfRangeException(nameof(pass), pass, "A scan has three passes at most."),
    };

    /// <summary>After the last pass, every scanner's conclusion about the batch as a whole.</summary>
    public static void Conclude(BatchScanContext context, IReadOnlyList<IExampleScanner> scanners)
    {
        foreach (var scanner in scanners)
        {
            scanner.Conclude(context.Hits);
        }
    }

    /// <summary>Pass <paramref name="pass"/> of the scanners that read it over the whole lines <paramref name="openContent"/>
    /// opens, the first numbered <paramref name="firstLine"/> (a shard starts inside the batch).</summary>
    public static Task PassAsync(BatchScanContext context, IReadOnlyList<IExampleScanner> scanners, int pass, Func<CancellationToken, Task<Stream>> openContent,
        long firstLine, Func<long, CancellationToken, Task> progress, CancellationToken cancellationToken)
    {
        Action<IExampleScanner, ExampleText, ExampleHits> inspect = pass switch
        {
            1 => static (s, e, h) => s.Inspect(e, h),
            2 => static (s, e, h) => s.InspectAgain(e, h),
            _ => static (s, e, h) => s.InspectFinal(e, h),
        };
        var reading = For(pass, scanners);
        Func<ReadOnlySpan<byte>, bool>? reads = pass == 3 ? json => ReadsFinal(reading, json) : null;
        return PassAsync(context, reading, openContent, firstLine, inspect, reads, progress, cancellationToken);
    }

    private static bool ReadsFinal(IReadOnlyList<IExampleScanner> scanners, ReadOnlySpan<byte> json)
    {
        foreach (var scanner in scanners)
        {
            if (scanner.ReadsFinal(json))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A pass of <paramref name="scanners"/>, each line parsed only when <paramref name="reads"/> is null or says
    /// some scanner reads it (<see cref="IExampleScanner.ReadsFinal"/>).</summary>
    private static async Task PassAsync(BatchScanContext context, IReadOnlyList<IExampleScanner> scanners, Func<CancellationToken, Task<Stream>> openContent,
        long firstLine, Action<IExampleScanner, ExampleText, ExampleHits> inspect, Func<ReadOnlySpan<byte>, bool>? reads,
        Func<long, CancellationToken, Task> progress, CancellationToken cancellationToken)
    {
        long sinceReport = 0;
        var workers = new SemaphoreSlim(Environment.ProcessorCount);
        var running = new List<Task>();
        var sinceProgress = Stopwatch.StartNew();
        // A pass shorter than the interval writes no progress at all: the scan's commit sets the count, and a write
        // each small batch's scan makes waits on the database's write lock behind the uploads (SQLite has one).
        var reported = false;
        await using var content = await openContent(cancellationToken);
        var reader = new ChunkReader(content, ChunkSize, firstLine);
        while (await reader.ReadAsync(cancellationToken) is { } chunk)
        {
            if (chunk.OverlongLine)
            {
                throw new InvalidDataException($"Line {chunk.FirstLine} of the stored content exceeds {ChunkSize} bytes.");
            }
            await workers.WaitAsync(cancellationToken);
            running.RemoveAll(t => t.IsCompletedSuccessfully);
            running.Add(Task.Run(() =>
            {
                try
                {
                    Interlocked.Add(ref sinceReport, Inspect(chunk, context, scanners, inspect, reads));
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(chunk.Buffer);
                    workers.Release();
                }
            }, cancellationToken));
            if (sinceProgress.Elapsed > ProgressEvery)
            {
                await progress(Interlocked.Exchange(ref sinceReport, 0), cancellationToken);
                sinceProgress.Restart();
                reported = true;
            }
        }
        await Task.WhenAll(running);
        if (reported)
        {
            await progress(Interlocked.Exchange(ref sinceReport, 0), cancellationToken);
        }
    }

    private static int Inspect(Chunk chunk, BatchScanContext context, IReadOnlyList<IExampleScanner> scanners,
        Action<IExampleScanner, ExampleText, ExampleHits> inspect, Func<ReadOnlySpan<byte>, bool>? reads)
    {
        var rest = chunk.Buffer.AsSpan(0, chunk.Length);
        var line = chunk.FirstLine;
        var count = 0;
        var group = new List<ExampleText>(GroupSize);
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var json = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (reads is null || reads(json))
            {
                group.Add(ExampleText.Parse(json, line, context.DeclaredDomains));
            }
            line++;
            count++;
            if (group.Count == GroupSize || rest.IsEmpty)
            {
                foreach (var scanner in scanners)
                {
                    foreach (var example in group)
                    {
                        inspect(scanner, example, context.Hits);
                    }
                }
                group.Clear();
            }
        }
        return count;
    }
}
