using System.Diagnostics;

namespace VendorGate.Benchmarks;

public static class Measure
{
    /// <summary>Wall time of an external command, its output discarded.</summary>
    public static async Task<TimeSpan> RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command, args) { RedirectStandardOutput = true };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await process.WaitForExitAsync();
        return clock.Elapsed;
    }
}
