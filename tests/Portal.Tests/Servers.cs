using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Playwright;
using VendorGate.Client;
using VendorGate.TestSupport;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace VendorGate.Portal.Tests;

/// <summary>A server started from its own build output as a process on a free loopback port, stopped on dispose.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private ServerProcess(Process process, Uri address, System.Collections.Concurrent.ConcurrentQueue<string> output) =>
        (_process, Address, _output) = (process, address, output);

    public Uri Address { get; }

    /// <summary>Everything the process wrote so far (its log), to check what it must never log.</summary>
    public string Output => string.Join("\n", _output);

    /// <summary>Starts the project's server on <paramref name="listenOn"/>, or on a free port: another process may take
    /// that port between its finding and the server's bind (the suites run side by side), so a server that could not
    /// bind it is started again on another, up to three times.</summary>
    public static Task<ServerProcess> StartAsync(string project, string readyPath, IDictionary<string, string> environment, int? listenOn = null) =>
        listenOn is { } port ? StartOnceAsync(project, readyPath, environment, port) : OnFreePortAsync(free => StartOnceAsync(project, readyPath, environment, free));

    /// <summary>Starts a server with <paramref name="start"/> on a port found free, and again on another when a process
    /// took that one before the server could bind it (<see cref="PortTakenException"/>), up to three times.</summary>
    public static async Task<ServerProcess> OnFreePortAsync(Func<int, Task<ServerProcess>> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start(FreePort());
            }
            catch (PortTakenException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>The server could not bind its port: another process took it first.</summary>
    public sealed class PortTakenException(string message) : Exception(message);

    private static async Task<ServerProcess> StartOnceAsync(string project, string readyPath, IDictionary<string, string> environment, int port)
    {
        var dll = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", $"VendorGate.{project}.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_CONTENTROOT"] = Path.Combine(Root, "src", project); // wwwroot as published (the build output has none)
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }
        var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var quiet = false; // an info entry and its continuation lines are kept, not echoed
        void Log(string? line)
        {
            if (line is null)
            {
                return;
            }
            output.Enqueue(line);
            quiet = line.StartsWith("info:", StringComparison.Ordinal) || quiet && line.StartsWith("      ", StringComparison.Ordinal);
            if (!quiet)
            {
                Console.Error.WriteLine($"{project}: {line}");
            }
        }
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = new Uri($"http://127.0.0.1:{port}");
        // Short requests: whatever else holds the port may take a connection and never answer.
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var lastSeen = "no answer yet";
        for (var ready = Stopwatch.StartNew(); ready.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited;)
        {
            try
            {
                var status = (await http.GetAsync(readyPath)).StatusCode;
                if (status == HttpStatusCode.OK)
                {
                    return new ServerProcess(process, address, output);
                }
                lastSeen = $"{(int)status} from {readyPath}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                lastSeen = e.Message;
            }
            await Task.Delay(100);
        }
        var exited = process.HasExited;
        if (!exited)
        {
            process.Kill(true);
        }
        await process.WaitForExitAsync(); // its last lines read
        var log = string.Join("\n", output.TakeLast(15));
        if (exited && output.Any(line => line.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
        {
            throw new PortTakenException($"{project} could not bind {address}: another process took the port first");
        }
        throw new InvalidOperationException($"{project} did not become ready on {address} ({(exited ? $"it exited with code {process.ExitCode}" : "30 s")}; last seen: {lastSeen}); its last lines:\n{log}");
    }

    /// <summary>The repository root (where VendorGate.sln is).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, as this test assembly was built.</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "VendorGate.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("VendorGate.sln not found above the test output");
        }
        return dir;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>A Gateway, the Portal pointed at it, and Debian's Chromium headless shell driven by Playwright.</summary>
public abstract class PortalFixture : IAsyncLifetime
{
    /// <summary>Debian's build of Chromium's headless shell (the package <c>chromium-headless-shell</c>), what Playwright
    /// itself runs for headless pages: the same Blink and V8 without the full browser around them, at about a third of
    /// the full <c>chromium</c>'s CPU in these tests (20 s beside 53 s for one Portal class).</summary>
    public const string Chromium = "/usr/bin/chromium-headless-shell";

    private readonly string _dataDir = Directory.CreateTempSubdirectory("vg-portal-").FullName;
    private IPlaywright _playwright = null!;

    public ServerProcess Gateway { get; private set; } = null!;
    public ServerProcess Portal { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public string AdminToken { get; private set; } = null!;

    /// <summary>The time both processes' clocks read when the fixture starts (they are given one
    /// <c>VendorGate:Clock:Offset</c>, so they agree): what a page shows of today and what a form's dates mean do not
    /// depend on the day the suite runs.</summary>
    public static readonly DateTimeOffset Start = new(2030, 1, 15, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The processes' day (a class runs for minutes, not fifteen hours).</summary>
    public static DateTime Today => Start.UtcDateTime.Date;

    private readonly string _clockOffset = (Start - DateTimeOffset.UtcNow).ToString("c", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Screenshots land here (TestResults/portal-screenshots beside the test output), kept as artifacts.</summary>
    public string Screenshots => Directory.CreateDirectory(Path.Combine(ServerProcess.Root, "tests", "Portal.Tests", "TestResults", "portal-screenshots", GetType().Name)).FullName;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: run the suite with `bash scripts/test.sh`, which installs Debian's chromium-headless-shell.");
        }
        // Staff may also sign in at the real OpenID provider: the Gateway trusts it, the Portal is its registered client.
        Gateway = await ServerProcess.StartAsync("Gateway", "/readyz", new Dictionary<string, string>(GatewaySettings)
        {
            ["VendorGate__DataDir"] = _dataDir,
            ["VendorGate__Clock__Offset"] = _clockOffset,
            ["VendorGate__Identity__Oidc__0__Issuer"] = OidcProvider.Issuer,
            ["VendorGate__Identity__Oidc__0__Audience"] = OidcProvider.Audience,
            ["VendorGate__Ingest__WarmUp"] = "false", // a second of CPU for nothing the pages measure (the README test keeps it)
        });
        Portal = await ServerProcess.OnFreePortAsync(StartPortalAsync);
        AdminToken = File.ReadAllText(Path.Combine(_dataDir, "bootstrap-admin.key")).Trim();
        Admin = Client(AdminToken);
        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>The Portal on <paramref name="portalPort"/>, registered at the OpenID provider with its sign-in address
    /// there first (again for each port tried).</summary>
    private async Task<ServerProcess> StartPortalAsync(int portalPort)
    {
        var (clientId, clientSecret) = await OidcProvider.RegisterClientAsync($"http://127.0.0.1:{portalPort}/signin-oidc");
        return await ServerProcess.StartAsync("Portal", "/SignIn", new Dictionary<string, string>
        {
            ["Portal__GatewayUrl"] = Gateway.Address.ToString(),
            ["VendorGate__Clock__Offset"] = _clockOffset,
            ["Portal__Oidc__Authority"] = OidcProvider.Issuer,
            ["Portal__Oidc__ClientId"] = clientId,
            ["Portal__Oidc__ClientSecret"] = clientSecret,
            ["Portal__Oidc__Resource"] = OidcProvider.Audience,
            ["Portal__Oidc__Scopes"] = "email vendorgate",
            ["Portal__Oidc__DisplayName"] = "the test provider",
            ["Portal__Attention__QuarantineDays"] = "0", // a quarantine cannot be made a week old in a test: any counts
            ["Logging__LogLevel__Default"] = "Information", // everything it logs is checked for keys
        }, portalPort);
    }

    /// <summary>How the Gateway process is configured, beyond its data folder.</summary>
    protected abstract IReadOnlyDictionary<string, string> GatewaySettings { get; }

    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = Gateway.Address };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>POSTs and reads the answer as the typed client's record of that operation.</summary>
    public async Task<T> PostAsync<T>(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, VendorGateClient.Json)!;
    }

    /// <summary>Reads until <paramref name="done"/> holds; after 60 s fails with what it last read.</summary>
    public static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{what} never reached the expected state: {value}");
            await Task.Delay(200);
        }
    }

    /// <summary>The principal's own first key: an admin's enrolment invitation, redeemed without any other credential.</summary>
    public async Task<string> TokenAsync(Guid principalId)
    {
        var invitation = await new VendorGateClient(Admin, null).CreateInvitationAsync(principalId, new());
        using var anonymous = Client(null);
        return (await new VendorGateClient(anonymous, null).RedeemInvitationAsync(new() { Invitation = invitation.Invitation })).Token;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Portal.DisposeAsync();
        await Gateway.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}

/// <summary>The Gateway on the embedded default (SQLite, filesystem, local key, in-memory Hangfire).</summary>
public sealed class EmbeddedPortal : PortalFixture
{
    protected override IReadOnlyDictionary<string, string> GatewaySettings => new Dictionary<string, string>();
}

/// <summary>The Gateway on PostgreSQL (a fresh database) and Azurite (a fresh container), as started by scripts/test.sh.
/// It signs with its local key: the Key Vault protocol fake lives inside the Gateway test process.</summary>
public sealed class ProductionPortal : PortalFixture
{
    private readonly string _database = "vg_portal_" + Guid.NewGuid().ToString("N");

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value
        : throw new InvalidOperationException($"{variable} is not set: run the suite with `bash scripts/test.sh`, which starts PostgreSQL and Azurite.");

    protected override IReadOnlyDictionary<string, string> GatewaySettings => new Dictionary<string, string>
    {
        ["ConnectionStrings__Postgres"] = $"{Require("VG_TEST_POSTGRES")};Database={_database}",
        ["VendorGate__Blob__ConnectionString"] = Require("VG_TEST_AZURITE"),
        ["VendorGate__Blob__Container"] = "vgportal" + Guid.NewGuid().ToString("N")[..12],
    };
}

public static class TypedClients
{
    /// <summary>The typed client over this client's Gateway address and credential.</summary>
    public static VendorGateClient Typed(this HttpClient client) => new(client, null);
}
