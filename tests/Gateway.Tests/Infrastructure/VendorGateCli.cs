using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>What a <c>vendorgate</c> run printed and how it ended.</summary>
public sealed record CliRun(int Code, string Stdout, string Stderr)
{
    /// <summary>The <c>--json</c> document on stdout.</summary>
    public JsonElement Json
    {
        get
        {
            try
            {
                return JsonDocument.Parse(Stdout).RootElement;
            }
            catch (JsonException)
            {
                Assert.Fail($"vendorgate printed no JSON (exit {Code}); stdout: {Stdout}; stderr: {Stderr}");
                throw;
            }
        }
    }

    public override string ToString() => $"exit {Code}; stdout: {Stdout}; stderr: {Stderr}";
}

/// <summary>Runs the built <c>vendorgate</c> CLI as a user would, as a process with its own config folder. With a key,
/// the Gateway and key are given as <c>VENDORGATE_GATEWAY</c>/<c>VENDORGATE_API_KEY</c>; without, the stored profile is used.</summary>
public sealed class VendorGateCli(Uri gateway, string? key) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly string _temporary = Directory.CreateTempSubdirectory("vg-cli-").FullName;

    /// <summary>The CLI's config folder (VENDORGATE_CONFIG_DIR): not there until the CLI creates it.</summary>
    public string ConfigDir => Path.Combine(_temporary, "vendorgate");

    /// <summary>A path for a file of the test's own, removed with the folder.</summary>
    public string File(string name) => Path.Combine(_temporary, name);

    public Uri Gateway => gateway;

    /// <summary>Starts the CLI; the caller reads its output and waits for it.</summary>
    public Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "vendorgate.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        start.Environment["VENDORGATE_CONFIG_DIR"] = ConfigDir;
        start.Environment.Remove("VENDORGATE_GATEWAY");
        start.Environment.Remove("VENDORGATE_API_KEY");
        if (key is not null)
        {
            start.Environment["VENDORGATE_GATEWAY"] = gateway.ToString();
            start.Environment["VENDORGATE_API_KEY"] = key;
        }
        return Process.Start(start)!;
    }

    public async Task<CliRun> RunAsync(string[] args, string? stdin = null)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteLineAsync(stdin);
        }
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"vendorgate {string.Join(' ', args)} ran longer than {Timeout}; stderr so far: {await stderr}");
        }
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    public Task<CliRun> RunAsync(params string[] args) => RunAsync(args, stdin: null);

    /// <summary>Runs the CLI and, once a line of its stderr satisfies <paramref name="when"/>, runs <paramref name="then"/>
    /// while the CLI goes on; fails the test if the CLI ends without printing such a line.</summary>
    public async Task<CliRun> RunAsync(string[] args, Func<string, bool> when, Func<Task> then)
    {
        var (process, stderr, stdout, _) = await StartUntilAsync(args, when);
        using (process)
        {
            await then();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"vendorgate {string.Join(' ', args)} ran longer than {Timeout}; stderr so far: {string.Join('\n', stderr)}");
            }
            process.WaitForExit(); // the last of stderr read
            return new CliRun(process.ExitCode, await stdout, string.Join('\n', stderr));
        }
    }

    /// <summary>Starts the CLI and kills it once a line of its stderr satisfies <paramref name="killWhen"/>; fails
    /// the test, with what it printed, if the process ends first.</summary>
    public async Task<string> KillWhenAsync(string[] args, Func<string, bool> killWhen)
    {
        var (process, _, _, line) = await StartUntilAsync(args, killWhen);
        using (process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        return line;
    }

    /// <summary>Starts the CLI, collecting its stderr lines, and waits for the first that satisfies <paramref name="when"/>;
    /// fails the test, with what it printed, if the process ends (or hangs) first.</summary>
    private async Task<(Process Process, ConcurrentQueue<string> Stderr, Task<string> Stdout, string Line)> StartUntilAsync(string[] args, Func<string, bool> when)
    {
        var process = Start(args);
        process.StandardInput.Close();
        var stderr = new ConcurrentQueue<string>();
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                stderr.Enqueue(line);
                if (when(line))
                {
                    seen.TrySetResult(line);
                }
            }
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (await Task.WhenAny(seen.Task, process.WaitForExitAsync(), Task.Delay(Timeout)) != seen.Task)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"vendorgate {string.Join(' ', args)} ended (or hung) before the line awaited; stdout: {await stdout}; stderr: {string.Join('\n', stderr)}");
        }
        return (process, stderr, stdout, await seen.Task);
    }

    public void Dispose() => Directory.Delete(_temporary, recursive: true);
}
