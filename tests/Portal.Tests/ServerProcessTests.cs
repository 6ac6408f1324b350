using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace VendorGate.Portal.Tests;

/// <summary>A server that cannot bind its port (another process took it after it was found free) is told apart at once
/// from one that is slow to start, so the suites' helpers start it again on another port instead of waiting 30 s.</summary>
public sealed class ServerProcessTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("vg-port-").FullName;

    [Fact]
    public async Task A_server_whose_port_is_taken_is_reported_as_such_as_soon_as_it_exits()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var clock = Stopwatch.StartNew();

        var refused = await Assert.ThrowsAsync<ServerProcess.PortTakenException>(() =>
            ServerProcess.StartAsync("Gateway", "/readyz", new Dictionary<string, string> { ["VendorGate__DataDir"] = _dataDir }, port));

        Assert.Contains(port.ToString(), refused.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"took {clock.Elapsed}: it waited out the readiness polls instead of seeing the exit");
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
