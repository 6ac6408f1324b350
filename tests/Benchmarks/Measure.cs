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

    /// <summary>Runs the <c>vendorgate</c> CLI (from this output folder) against a Gateway with an API key in its
    /// environment; with <paramref name="killAt"/>, kills it at the first stderr line that satisfies it.</summary>
    public static async Task<(int Code, string Stdout, TimeSpan Wall)> CliAsync(Uri gateway, string key, string configDir, string[] args,
        Func<string, bool>? killAt = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "vendorgate.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["VENDORGATE_CONFIG_DIR"] = configDir;
        start.Environment["VENDORGATE_GATEWAY"] = gateway.ToString();
        start.Environment["VENDORGATE_API_KEY"] = key;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var killed = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && killAt?.Invoke(line) == true && killed.TrySetResult())
            {
                process.Kill(entireProcessTree: true);
            }
        };
        process.BeginErrorReadLine();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdout, clock.Elapsed);
    }
}
