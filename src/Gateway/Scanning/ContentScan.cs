using System.Diagnostics;
using VendorGate.Corpus;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>Reads a batch's canonical content (NDJSON) once per pass and runs every <see cref="IExampleScanner"/> on each
/// example, chunks of whole lines in parallel on every core. Reports progress (examples scanned) every couple of seconds.
/// The scan job and the evaluation harness both run it.</summary>
public static class ContentScan
{
    private const int ChunkSize = 4 << 20; // canonical lines stay far below: uploads allow 1 MiB lines
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(2);

    /// <summary>Scans the content <paramref name="openContent"/> opens from its start (once per pass).</summary>
    public static async Task RunAsync(BatchScanContext context, IReadOnlyList<IExampleScanner> scanners, Func<CancellationToken, Task<Stream>> openContent,
        Func<long, CancellationToken, Task> progress, CancellationToken cancellationToken)
    {
        scanners = scanners.OrderBy(s => s.Order).ToList();
        foreach (var scanner in scanners)
        {
            await scanner.PrepareAsync(context, cancellationToken);
        }
        var again = scanners.Where(s => s.NeedsSecondPass).ToList();
        var passes = again.Count > 0 ? 2 : 1;
        long scanned = 0;
        await PassAsync(context, scanners, openContent, static (s, e, h) => s.Inspect(e, h), ReportAsync, cancellationToken);
        if (passes == 2)
        {
            await PassAsync(context, again, openContent, static (s, e, h) => s.InspectAgain(e, h), ReportAsync, cancellationToken);
        }
        var final = scanners.Where(s => s.NeedsFinalPass).ToList();
        if (final.Count > 0)
        {
            // Rare (spans found in the second pass) and short; progress already stands at every example.
            await PassAsync(context, final, openContent, static (s, e, h) => s.InspectFinal(e, h), static (_, _) => Task.CompletedTask, cancellationToken);
        }
        foreach (var scanner in scanners)
        {
            scanner.Conclude(context.Hits);
        }

        // Progress counts examples scanned across the passes, in examples of the batch.
        Task ReportAsync(long examples, CancellationToken ct) => progress(Interlocked.Add(ref scanned, examples) / passes, ct);
    }

    private static async Task PassAsync(BatchScanContext context, IReadOnlyList<IExampleScanner> scanners, Func<CancellationToken, Task<Stream>> openContent,
        Action<IExampleScanner, ExampleText, ExampleHits> inspect, Func<long, CancellationToken, Task> progress, CancellationToken cancellationToken)
    {
        long sinceReport = 0;
        var workers = new SemaphoreSlim(Environment.ProcessorCount);
        var running = new List<Task>();
        var sinceProgress = Stopwatch.StartNew();
        await using var content = await openContent(cancellationToken);
        var reader = new ChunkReader(content, ChunkSize);
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
                    Interlocked.Add(ref sinceReport, Inspect(chunk, context, scanners, inspect));
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
            }
        }
        await Task.WhenAll(running);
        await progress(Interlocked.Exchange(ref sinceReport, 0), cancellationToken);
    }

    private static int Inspect(Chunk chunk, BatchScanContext context, IReadOnlyList<IExampleScanner> scanners,
        Action<IExampleScanner, ExampleText, ExampleHits> inspect)
    {
        var rest = chunk.Buffer.AsSpan(0, chunk.Length);
        var line = chunk.FirstLine;
        var count = 0;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var json = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            var example = ExampleText.Parse(json, line++, context.DeclaredDomains);
            foreach (var scanner in scanners)
            {
                inspect(scanner, example, context.Hits);
            }
            count++;
        }
        return count;
    }
}
