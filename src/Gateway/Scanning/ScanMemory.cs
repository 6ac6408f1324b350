using System.Runtime;
using System.Runtime.CompilerServices;
using Hangfire.Common;
using Hangfire.Logging;
using Hangfire.Server;

namespace VendorGate.Gateway.Scanning;

/// <summary>The large arrays of a scan (count sketches, near-duplicate bands, digests: about 300 MB for 1M examples)
/// live on the large object heap, which the GC empties only in a full collection. The next scan's allocations did not
/// reliably trigger one, so the Gateway's RSS grew by a scan's worth with each 1M batch (780 → 1,271 → 1,516 MB over
/// three; <c>bash scripts/bench.sh memory</c>). Scanners allocate such arrays through <see cref="Array{T}"/>, which
/// counts their bytes against the job running; a scan job marked <see cref="ReleaseAttribute"/> that allocated
/// <see cref="ReleaseAfterBytes"/> or more ends with one full, compacting collection that returns the memory to the
/// system. It runs after the job's DI scope, and with it the scanners, is gone: a fraction of a second after a scan
/// of a minute, and never after the small scans of a busy intake.</summary>
public static class ScanMemory
{
    public const long ReleaseAfterBytes = 64L << 20;

    private const int LargeObjectBytes = 85_000; // where the GC's large object heap starts

    // The bytes counted for the job this flow of execution belongs to (set by the filter; null outside a scan job).
    private static readonly AsyncLocal<StrongBox<long>?> Job = new();

    /// <summary>A zeroed array of <paramref name="length"/> elements, counted against the scan job running. A large one
    /// (where the large object heap starts) goes to the pinned object heap, collected like the large object heap but
    /// never moved: the compacting collection between a scan's passes (<see cref="ReleasePasses"/>) no longer copies the
    /// sketches alive through it, which took the Gateway's RSS 37 MB over its peak for under 100 ms (ten 1M rounds,
    /// <c>bash scripts/bench.sh memory</c>: VmHWM 549 → 495 MB the same day). A small scan's small arrays stay young.</summary>
    public static T[] Array<T>(int length) where T : unmanaged
    {
        var bytes = (long)length * Unsafe.SizeOf<T>();
        if (Job.Value is { } job)
        {
            Interlocked.Add(ref job.Value, bytes);
        }
        return GC.AllocateArray<T>(length, pinned: bytes >= LargeObjectBytes);
    }

    /// <summary>The calling thread's reused set in <paramref name="set"/>, empty. A set clears every bucket it has grown
    /// to, however few it holds: one grown past <see cref="KeptSetCount"/> (by a huge example) is replaced, not cleared
    /// again for every example after it (such clears were 1 % of a realistic 1M scan).</summary>
    public static HashSet<T> Emptied<T>(ref HashSet<T>? set)
    {
        if (set is not { Count: <= KeptSetCount })
        {
            return set = [];
        }
        set.Clear();
        return set;
    }

    public const int KeptSetCount = 4096;

    /// <summary>Drops what the scanners needed for their passes only (<see cref="IExampleScanner.ReleasePasses"/>) and,
    /// in a scan job that allocated <see cref="ReleaseAfterBytes"/> or more, collects it before the batch scanners add
    /// their arrays: the end of a 1M scan then peaks 160 MB lower.</summary>
    public static void ReleasePasses(IEnumerable<IExampleScanner> scanners)
    {
        foreach (var scanner in scanners)
        {
            scanner.ReleasePasses();
        }
        if (Job.Value is { } job && Interlocked.Read(ref job.Value) is var allocated && allocated >= ReleaseAfterBytes)
        {
            Collect("the passes of a scan", allocated);
        }
    }

    /// <summary>One full, compacting collection that returns free memory to the system; the bytes it freed.</summary>
    private static long Collect(string what, long allocated)
    {
        var (before, clock) = (GC.GetTotalMemory(forceFullCollection: false), System.Diagnostics.Stopwatch.StartNew());
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimNativeHeap();
        var after = GC.GetTotalMemory(forceFullCollection: false);
        LogProvider.GetLogger(typeof(ScanMemory).FullName).Info(
            $"{what} allocated {allocated >> 20} MB of large arrays; released: managed heap {before >> 20} -> {after >> 20} MB in {clock.ElapsedMilliseconds} ms");
        return before - after;
    }

    /// <summary>Gives the C library's free heap pages back to the system (glibc's <c>malloc_trim</c>; elsewhere nothing).
    /// What a scan allocated natively (hash contexts, SQLite's pages) is freed in every arena but stays resident there
    /// without it: the Gateway's RSS after each of ten 1M rounds rose by 3–4 MB a round (now flat).</summary>
    private static void TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // not glibc (musl has no malloc_trim)
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    /// <summary>The scan jobs: each counts its large arrays and, when they reached <see cref="ReleaseAfterBytes"/>,
    /// collects them once it has finished (succeeded or failed).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class ReleaseAttribute : JobFilterAttribute, IServerFilter
    {
        private const string Key = "scan-memory";

        public void OnPerforming(PerformingContext context) => context.Items[Key] = Job.Value = new StrongBox<long>();

        public void OnPerformed(PerformedContext context)
        {
            Job.Value = null;
            var allocated = context.Items.TryGetValue(Key, out var counted) ? Interlocked.Read(ref ((StrongBox<long>)counted).Value) : 0;
            if (allocated < ReleaseAfterBytes)
            {
                return;
            }
            var job = $"{context.BackgroundJob.Job.Type.Name} {context.BackgroundJob.Id}";
            if (Collect(job, allocated) < allocated / 2)
            {
                // What holds the scanners (the job's DI scope) can let go a moment after this filter runs: once more, then.
                _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ => Collect(job + " (again)", allocated), TaskScheduler.Default);
            }
        }
    }
}
