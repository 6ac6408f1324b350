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
    /// machine of its own would be.</summary>
    public static async Task<GatewayProcess> StartAsync(string gatewayDll, string dataDir, IDictionary<string, string>? environment = null, int? cpu = null)
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
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("gateway: " + e.Data); }; // warnings and errors only (Logging:LogLevel:Default=Warning)
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("gateway: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = address };
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK)
                {
                    return new GatewayProcess(process, address);
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        process.Kill(true);
        throw new InvalidOperationException("the Gateway did not become ready");
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
