using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace VendorGate.Benchmarks;

/// <summary>A Gateway started as its own process on a free loopback port, stopped on dispose.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, Uri address) => (_process, Address) = (process, address);

    public Uri Address { get; }

    /// <summary>Settings for the Gateway from this process's environment: <c>GATEWAY_X=v</c> passes <c>X=v</c>.</summary>
    public static Dictionary<string, string> SettingsFromEnvironment() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("GATEWAY_", StringComparison.Ordinal))
            .ToDictionary(k => k["GATEWAY_".Length..], k => Environment.GetEnvironmentVariable(k)!);

    /// <summary>Starts a Gateway; with <paramref name="cpu"/>, pinned to that one core (taskset) and told it has one, as a
    /// machine of its own would be. On a port found free, and on another when a process took that one before the Gateway
    /// could bind it, up to three times.</summary>
    public static async Task<GatewayProcess> StartAsync(string gatewayDll, string dataDir, IDictionary<string, string>? environment = null, int? cpu = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (gateway, portTaken) = await StartOnceAsync(gatewayDll, dataDir, environment, cpu);
            if (gateway is not null)
            {
                return gateway;
            }
            if (attempt == 3)
            {
                throw new InvalidOperationException($"the Gateway could not bind a free port three times: {portTaken}");
            }
        }
    }

    /// <summary>The Gateway once ready, or null and why when it exited because its port was taken; any other failure
    /// throws with what the Gateway last wrote.</summary>
    private static async Task<(GatewayProcess? Gateway, string? PortTaken)> StartOnceAsync(string gatewayDll, string dataDir, IDictionary<string, string>? environment, int? cpu)
    {
        var port = FreePort();
        string[] command = ["dotnet", gatewayDll, "--urls", $"http://127.0.0.1:{port}"];
        var start = new ProcessStartInfo(cpu is null ? command[0] : "taskset", cpu is null ? command[1..] : ["-c", cpu.Value.ToString(), .. command])
        {
            WorkingDirectory = Path.GetDirectoryName(gatewayDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["VendorGate__DataDir"] = dataDir;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }
        if (cpu is not null)
        {
            start.Environment["DOTNET_PROCESSOR_COUNT"] = "1";
        }
        var process = Process.Start(start)!;
        var last = new Queue<string>(); // the last lines it wrote, for a failure to quote
        void Received(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }
            Console.Error.WriteLine("gateway: " + e.Data); // warnings and errors only (Logging:LogLevel:Default=Warning)
            lock (last)
            {
                last.Enqueue(e.Data);
                if (last.Count > 15)
                {
                    last.Dequeue();
                }
            }
        }
        process.OutputDataReceived += Received;
        process.ErrorDataReceived += Received;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = address };
        for (var i = 0; i < 300 && !process.HasExited; i++)
        {
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK)
                {
                    return (new GatewayProcess(process, address), null);
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        var exited = process.HasExited;
        if (exited)
        {
            await process.WaitForExitAsync(); // its last lines read
        }
        else
        {
            process.Kill(true);
        }
        string[] lines;
        lock (last)
        {
            lines = [.. last];
        }
        var code = exited ? process.ExitCode : (int?)null;
        process.Dispose();
        if (code is not null && lines.Any(line => line.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, $"{address} was taken before the Gateway bound it");
        }
        throw new InvalidOperationException($"the Gateway did not become ready on {address} ({(code is { } c ? $"it exited with code {c}" : "30 s")}); its last lines:\n{string.Join('\n', lines)}");
    }

    /// <summary>CPU time the process has used (all threads).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Peak resident set size of the process so far (Linux VmHWM).</summary>
    public long PeakRssBytes() => StatusField("VmHWM:");

    /// <summary>Resident set size now (Linux VmRSS).</summary>
    public long RssBytes() => StatusField("VmRSS:");

    /// <summary>Samples the resident set size every 20 ms until <paramref name="work"/> completes; returns the largest.</summary>
    public async Task<(T Result, long PeakRss)> SampleRssAsync<T>(Task<T> work)
    {
        long peak = 0;
        while (!work.IsCompleted)
        {
            peak = Math.Max(peak, RssBytes());
            await Task.WhenAny(work, Task.Delay(20));
        }
        return (await work, Math.Max(peak, RssBytes()));
    }

    private long StatusField(string name)
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith(name, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
