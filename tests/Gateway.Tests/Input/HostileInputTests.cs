using System.Net;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Input;

/// <summary>Input no client should send gets a 4xx problem, never a 5xx: malformed cursors and limits on every list.</summary>
public abstract class HostileInputTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    public static readonly string[] Cursors =
        ["%00", "%FF", "%F0%9F%98%80", "%ED%A0%80", "a%20b", "====", "AAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", new string('A', 4000), "%27%20OR%201%3D1--", "..%2F..%2F"];

    [Fact]
    public async Task Malformed_cursors_on_every_list_are_a_400_problem()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, auditor) = await _actors.NewStaffAsync("auditor");
        var (_, procurement) = await _actors.NewStaffAsync("procurement");
        var lists = new (HttpClient Client, string Path)[]
        {
            (vendor.Annotator, "/v1/batches"), (_actors.Admin, "/v1/vendors"), (_actors.Admin, $"/v1/vendors/{vendor.VendorId}/annotators"),
            (auditor, "/v1/revocations"), (auditor, "/v1/scan/signatures"), (auditor, "/v1/canaries"),
            (procurement, $"/v1/vendors/{vendor.VendorId}/evidence"),
        };
        var failures = new List<string>();
        foreach (var (client, path) in lists)
        {
            var ok = await client.GetAsync(path);
            if (ok.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{path}: {(int)ok.StatusCode} without a cursor");
                continue;
            }
            foreach (var cursor in Cursors)
            {
                var response = await client.GetAsync($"{path}?cursor={cursor}");
                if (response.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.OK))
                {
                    failures.Add($"{path}?cursor={cursor[..Math.Min(cursor.Length, 20)]}: {(int)response.StatusCode}");
                }
            }
            foreach (var limit in new[] { "-5", "0", "abc", "99999999999", "1.5" })
            {
                var response = await client.GetAsync($"{path}?limit={limit}");
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{path}?limit={limit}: {(int)response.StatusCode}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}

public sealed class HostileInputOnEmbedded(EmbeddedGateway app) : HostileInputTests<EmbeddedGateway>(app);

public sealed class HostileInputOnProduction(ProductionGateway app) : HostileInputTests<ProductionGateway>(app);
