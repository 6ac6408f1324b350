using System.Diagnostics;
using System.Net.Http.Headers;

namespace VendorGate.Benchmarks;

/// <summary>Whether a key lookup leaks which key ids exist: the time of a 401 for an unknown key id against the time of
/// a 401 for a known id with a wrong secret, interleaved request by request over loopback, with a valid key beside them.</summary>
public static class AuthBenchmark
{
    public static async Task<int> RunAsync(string gatewayDll, string workDir, int rounds)
    {
        var dataDir = Path.Combine(workDir, "auth-" + Guid.NewGuid().ToString("N")[..8]);
        await using var gateway = await GatewayProcess.StartAsync(gatewayDll, dataDir);
        var valid = (await File.ReadAllTextAsync(Path.Combine(dataDir, "bootstrap-admin.key"))).Trim();
        var knownId = valid.Split('_')[1];
        using var http = new HttpClient { BaseAddress = gateway.Address };
        var kinds = new (string Name, Func<string> Token)[]
        {
            ("unknown key id", () => $"vg_{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}_{Secret()}"),
            ("known id, wrong secret", () => $"vg_{knownId}_{Secret()}"),
            ("valid key", () => valid),
        };
        var times = kinds.ToDictionary(k => k.Name, _ => new List<double>(rounds));
        for (var round = -200; round < rounds; round++) // the first 200 rounds warm up and are not counted
        {
            foreach (var (name, token) in round % 2 == 0 ? kinds : kinds.Reverse())
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token());
                var clock = Stopwatch.StartNew();
                using var response = await http.SendAsync(request);
                var elapsed = clock.Elapsed.TotalMicroseconds;
                if (round >= 0)
                {
                    times[name].Add(elapsed);
                }
            }
        }
        Console.WriteLine($"{rounds:N0} rounds of GET /v1/me, interleaved (µs): median, p10, p90");
        foreach (var (name, list) in times)
        {
            list.Sort();
            Console.WriteLine($"  {name,-24} {list[list.Count / 2],8:0} {list[list.Count / 10],8:0} {list[list.Count * 9 / 10],8:0}");
        }
        var (unknown, wrong) = (Median(times["unknown key id"]), Median(times["known id, wrong secret"]));
        Console.WriteLine($"unknown / wrong-secret median ratio: {unknown / wrong:0.000}; Gateway peak RSS {gateway.PeakRssBytes() / 1048576.0:0} MB");
        return 0;

        static string Secret() => System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        static double Median(List<double> sorted) => sorted[sorted.Count / 2];
    }
}
