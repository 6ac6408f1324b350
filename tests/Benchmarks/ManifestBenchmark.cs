using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Storage.Blobs.FileSystem;

namespace VendorGate.Benchmarks;

/// <summary>
/// Issue 17's manifest figures: a 10M-example manifest tree in the Gateway's own chunk store on the filesystem blob
/// store (the embedded default), then a cut adding a 10,000-example batch, a revocation removing one from the middle,
/// diffs between them, and blame by index; beside them the same work on flat VGM1 manifests (the format before trees)
/// and <c>git diff</c> on 1M-line manifests for scale. Manifest work only: the HTTP, database and signing around it
/// are what <c>bash scripts/bench.sh corpus</c> measures end to end at 1M.
/// </summary>
public static class ManifestBenchmark
{
    private const int BatchSize = 10_000;

    public static async Task<int> RunAsync(long examples, string workDir)
    {
        var dir = Path.Combine(workDir, "manifest-" + Guid.NewGuid().ToString("N")[..8]);
        var blobs = new FileSystemBlobStore(Path.Combine(dir, "blobs"));
        var chunks = new BlobManifestChunks(blobs);
        var tree = new ManifestTreeReader(chunks);
        var batches = (int)(examples / BatchSize);
        var middle = batches / 2;
        var ct = CancellationToken.None;

        Console.WriteLine($"writing a {batches * (long)BatchSize:N0}-example manifest tree ({batches:N0} batches of {BatchSize:N0})...");
        var clock = Stopwatch.StartNew();
        var writer = new ManifestTreeWriter(chunks);
        await writer.AddAllAsync(Entries(Enumerable.Range(0, batches)), ct);
        var v1 = await writer.FinishAsync(ct);
        var build = clock.Elapsed;
        var leaves = (await tree.LeavesAsync(v1, ct)).Leaves.Count;

        clock.Restart();
        var (v2, cut) = await tree.EditAsync(v1, [], Entries([batches]), null, ct);
        var cutTime = clock.Elapsed;

        clock.Restart();
        // As the revocation does: the batch's range by descending the tree, then the edit.
        var start = await tree.FirstIndexAsync(v2, b => Rank(b) >= middle, ct);
        var end = await tree.FirstIndexAsync(v2, b => Rank(b) > middle, ct);
        var (v3, revocation) = await tree.EditAsync(v2, [(start, end)], null, null, ct);
        var revokeTime = clock.Elapsed;

        var diffs = new List<(string Name, long Changes, TimeSpan Median)>();
        foreach (var (name, a, b) in new[] { ("cut: +10k", v1, v2), ("revocation: −10k", v2, v3), ("both: +10k −10k", v1, v3) })
        {
            long changes = 0;
            var times = new List<TimeSpan>();
            for (var run = 0; run < 5; run++)
            {
                clock.Restart();
                changes = await tree.DiffAsync(a, b, ct).LongCountAsync();
                times.Add(clock.Elapsed);
            }
            diffs.Add((name, changes, times.Order().ElementAt(2)));
        }

        var random = new Random(47);
        var count = batches * (long)BatchSize;
        var latencies = new List<double>();
        for (var i = 0; i < 10_000; i++)
        {
            clock.Restart();
            await tree.AtAsync(v3, random.NextInt64(count), ct);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        latencies.Sort();

        var treePeakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

        Console.WriteLine("the same on flat VGM1 manifests...");
        var flat1 = Path.Combine(dir, "v1.vgm1");
        var flat2 = Path.Combine(dir, "v2.vgm1");
        var flat3 = Path.Combine(dir, "v3.vgm1");
        await WriteFlatAsync(flat1, Entries(Enumerable.Range(0, batches)));
        await WriteFlatAsync(flat2, Entries(Enumerable.Range(0, batches + 1)));
        clock.Restart();
        await WriteFlatAsync(flat3, Filter(ReadFlat(flat2), r => Rank(r.BatchId) != middle)); // a VGM1 revocation rewrites the whole blob
        var flatRevoke = clock.Elapsed;
        clock.Restart();
        var flatChanges = FlatDiff(flat1, flat3);
        var flatDiff = clock.Elapsed;

        Console.WriteLine("git diff on 1M-line manifests...");
        var (gitDiff, gitChanges) = await GitDiffAsync(dir, Math.Min(batches, 100), ct);

        Console.WriteLine();
        Console.WriteLine($"{count:N0} examples in {leaves:N0} leaves; writing the tree from scratch took {build.TotalSeconds:F1} s.");
        Console.WriteLine();
        Console.WriteLine($"| work at {count:N0} examples | VendorGate (VGT1 tree) | reference | target |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| cut: append a 10,000-example batch | {cutTime.TotalMilliseconds:F0} ms, {cut.NodesWritten} nodes written | VGM1 rewrites the {new FileInfo(flat2).Length / 1048576.0:F0} MB blob | |");
        Console.WriteLine($"| revocation: remove a 10,000-example batch from the middle | {revokeTime.TotalMilliseconds:F0} ms, {revocation.NodesWritten} nodes written | VGM1 rewrite {flatRevoke.TotalSeconds:F2} s | ≤ 2 s to a signed snapshot {Met(revokeTime.TotalSeconds <= 2)} |");
        foreach (var (name, changes, median) in diffs)
        {
            var reference = name.StartsWith("both") ? $"VGM1 {flatDiff.TotalSeconds:F2} s ({flatChanges:N0} changes)" : "";
            Console.WriteLine($"| diff, {name} ({changes:N0} changes, median of 5) | {median.TotalMilliseconds:F1} ms | {reference} | ≤ 0.2 s {Met(median.TotalSeconds <= 0.2)} |");
        }
        Console.WriteLine($"| blame by index, 10,000 random | p50 {latencies[4_999]:F3} ms, p99 {latencies[9_899]:F3} ms | | p99 ≤ 5 ms {Met(latencies[9_899] <= 5)} |");
        Console.WriteLine($"| for scale: git diff --numstat --no-index, two 1M-line NDJSON manifests | | {gitDiff.TotalSeconds:F2} s ({gitChanges} changed lines) | |");
        Console.WriteLine($"| peak working set of this process | {treePeakMb:F0} MB through the tree work | {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MB after the VGM1 diff (both manifests in memory) | |");
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    private static string Met(bool met) => met ? "(met)" : "(NOT met)";

    /// <summary>Batch <c>n</c>'s id sorts as <c>n</c> (Guid order compares the first field first), as merge order.</summary>
    private static Guid BatchId(int n) => new(n + 1, 0, 0, new byte[8]);

    private static int Rank(Guid batch) => BitConverter.ToInt32(batch.ToByteArray()) - 1;

    private static async IAsyncEnumerable<ManifestRecord> Entries(IEnumerable<int> batches)
    {
        var seed = new byte[8];
        foreach (var batch in batches)
        {
            var id = BatchId(batch);
            var annotator = new Guid(0, 0, 0, [0, 0, 0, 0, 0, 0, 0, (byte)(batch % 50)]);
            for (var line = 0; line < BatchSize; line++)
            {
                BitConverter.TryWriteBytes(seed, (long)batch * BatchSize + line);
                yield return new ManifestRecord(SHA256.HashData(seed), id, annotator, line, batch % 4);
            }
        }
        await Task.CompletedTask;
    }

    private static async IAsyncEnumerable<ManifestRecord> Filter(IAsyncEnumerable<ManifestRecord> records, Func<ManifestRecord, bool> keep)
    {
        await foreach (var record in records)
        {
            if (keep(record))
            {
                yield return record;
            }
        }
    }

    private static async Task WriteFlatAsync(string path, IAsyncEnumerable<ManifestRecord> records)
    {
        await using var file = new BufferedStream(File.Create(path), 1 << 20);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var header = SnapshotManifest.Header();
        await file.WriteAsync(header);
        hash.AppendData(header);
        var record = new byte[SnapshotManifest.RecordSize];
        await foreach (var r in records)
        {
            SnapshotManifest.Write(r, record);
            hash.AppendData(record);
            await file.WriteAsync(record);
        }
        hash.GetHashAndReset(); // a VGM1 manifest's digest is this hash: part of what writing one cost
    }

    private static IAsyncEnumerable<ManifestRecord> ReadFlat(string path) => SnapshotManifest.ReadAllAsync(File.OpenRead(path));

    /// <summary>The VGM1 diff: both manifests read whole, the shared prefix and suffix skipped, the middles compared as sets.</summary>
    private static long FlatDiff(string pathA, string pathB)
    {
        var a = File.ReadAllBytes(pathA);
        var b = File.ReadAllBytes(pathB);
        long countA = (a.Length - SnapshotManifest.HeaderSize) / SnapshotManifest.RecordSize, countB = (b.Length - SnapshotManifest.HeaderSize) / SnapshotManifest.RecordSize;
        ReadOnlySpan<byte> Digest(byte[] m, long i) => m.AsSpan((int)SnapshotManifest.Offset(i), 32);
        long prefix = 0, suffix = 0;
        while (prefix < countA && prefix < countB && Digest(a, prefix).SequenceEqual(Digest(b, prefix)))
        {
            prefix++;
        }
        while (suffix < countA - prefix && suffix < countB - prefix && Digest(a, countA - 1 - suffix).SequenceEqual(Digest(b, countB - 1 - suffix)))
        {
            suffix++;
        }
        var inA = new HashSet<DigestKey>();
        for (var i = prefix; i < countA - suffix; i++)
        {
            inA.Add(SnapshotManifest.KeyOf(Digest(a, i)));
        }
        var inB = new HashSet<DigestKey>();
        for (var i = prefix; i < countB - suffix; i++)
        {
            inB.Add(SnapshotManifest.KeyOf(Digest(b, i)));
        }
        return inA.Count(k => !inB.Contains(k)) + inB.Count(k => !inA.Contains(k));
    }

    /// <summary>The manifests of 1M examples as NDJSON (as <c>GET /v1/snapshots/{v}/manifest</c> serves them), before and
    /// after a 10k batch removed from the middle and one appended, compared by git.</summary>
    private static async Task<(TimeSpan Time, string Changes)> GitDiffAsync(string dir, int batches, CancellationToken ct)
    {
        async Task<string> WriteAsync(string name, IEnumerable<int> which)
        {
            var path = Path.Combine(dir, name);
            await using var file = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
            await foreach (var r in Entries(which))
            {
                await file.WriteAsync($"{{\"digest\":\"{BatchDigest.Format(r.Digest)}\",\"batchId\":\"{r.BatchId}\",\"annotatorId\":\"{r.AnnotatorId}\",\"line\":{r.Line},\"domain\":\"d{r.Domain}\"}}\n");
            }
            return path;
        }
        var before = await WriteAsync("before.ndjson", Enumerable.Range(0, batches));
        var after = await WriteAsync("after.ndjson", Enumerable.Range(0, batches + 1).Where(b => b != batches / 2));
        var start = new ProcessStartInfo("git", ["diff", "--no-index", "--numstat", before, after]) { RedirectStandardOutput = true };
        var clock = Stopwatch.StartNew();
        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync(ct);
        await git.WaitForExitAsync(ct);
        var time = clock.Elapsed;
        var numbers = output.Split('\t');
        return (time, numbers.Length >= 2 ? $"+{numbers[0]} −{numbers[1]}" : output.Trim());
    }
}
