using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Input;

/// <summary>Every operation of the served OpenAPI document, sent hostile path values, query values and bodies by every
/// caller its roles admit: no answer may be a 5xx (or an exception out of the server).</summary>
[RunsLong]
public abstract class HostileBatteryTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    private readonly Actors _actors = new(app);

    private static readonly string[] HostileStrings =
        ["%00", "%FF", "%ED%A0%80", "%E2%80%AE", "..%2F..%2Fetc%2Fpasswd", new string('a', 3000), "%27%20OR%201%3D1--", " ", "1.0.0.0.0", "-1"];

    private static readonly string[] HostileNumbers = ["-1", "0", "99999999999999999999", "abc", "1e999", "%00", ""];

    private static readonly string[] HostileGuids = ["00000000-0000-0000-0000-000000000000", "not-a-guid", "%00", "{00000000-0000-0000-0000-000000000000}"];

    private sealed record Probe(string Method, string Url, Func<HttpContent?> Body, string Label);

    [Fact]
    public async Task No_hostile_request_to_any_documented_operation_gets_a_5xx()
    {
        var vendor = await _actors.NewVendorAsync();
        var batch = (await vendor.Annotator.CreateBatchAsync()).Id;
        var (throwaway, _) = await _actors.NewAnnotatorAsync(vendor.VendorId);
        var callers = await RoleMatrix.CallersAsync(app, _actors, vendor);
        callers["eval-harness"] = (await _actors.NewStaffAsync("eval-harness")).Client;
        callers.Remove("anonymous");
        var real = new Dictionary<string, string>
        {
            ["vendorId"] = vendor.VendorId.ToString(), ["batchId"] = batch.ToString(), ["annotatorId"] = vendor.AnnotatorId.ToString(),
            ["principalId"] = throwaway.ToString(), // DELETE …/keys/{keyId} may only ever touch this one
        };
        var document = JsonNode.Parse(await _actors.Admin.GetStringAsync("/openapi/v1.json"))!;

        var failures = new List<string>();
        var sent = 0;
        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in operations!.AsObject())
            {
                var probes = Probes(method.ToUpperInvariant(), path, operation!, document, real).ToList();
                var admitted = await AdmittedAsync(callers, probes[0]);
                foreach (var probe in probes)
                {
                    foreach (var (role, client) in admitted)
                    {
                        sent++;
                        try
                        {
                            using var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Url) { Content = probe.Body() };
                            using var response = await client.SendAsync(request);
                            if ((int)response.StatusCode >= 500)
                            {
                                failures.Add($"{probe.Method} {Short(probe.Url)} [{probe.Label}] as {role}: {(int)response.StatusCode} {Short(await response.Content.ReadAsStringAsync())}");
                            }
                        }
                        catch (Exception e) when (e is not OutOfMemoryException)
                        {
                            failures.Add($"{probe.Method} {Short(probe.Url)} [{probe.Label}] as {role}: {e.GetType().Name}: {Short(e.Message)}");
                        }
                    }
                }
            }
        }
        Assert.True(sent > 2000, $"only {sent} requests sent");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests got a 5xx:\n{string.Join("\n", failures.Take(60))}");
    }

    private static string Short(string text) => text.Length > 160 ? text[..160] + "…" : text;

    /// <summary>The callers whose roles let them past authorization for this operation (a benign request is not a 403),
    /// so the battery reaches the handlers; the admin always.</summary>
    private static async Task<List<(string Role, HttpClient Client)>> AdmittedAsync(Dictionary<string, HttpClient> callers, Probe benign)
    {
        var admitted = new List<(string, HttpClient)>();
        foreach (var (role, client) in callers)
        {
            using var request = new HttpRequestMessage(new HttpMethod(benign.Method), benign.Url) { Content = benign.Body() };
            using var response = await client.SendAsync(request);
            if (role == "admin" || (int)response.StatusCode is not (401 or 403))
            {
                admitted.Add((role, client));
            }
        }
        return admitted;
    }

    private static IEnumerable<Probe> Probes(string method, string path, JsonNode operation, JsonNode document, Dictionary<string, string> real)
    {
        var parameters = operation["parameters"]?.AsArray().Select(p => p!).ToList() ?? [];
        string Value(JsonNode p) => real.GetValueOrDefault(p["name"]!.GetValue<string>())
            ?? (p["schema"]?["format"]?.GetValue<string>() == "uuid" ? Guid.NewGuid().ToString()
                : p["schema"]?["type"]?.GetValue<string>() == "integer" ? "0" : "x");
        string Fill(string? name = null, string? value = null) => parameters.Where(p => p["in"]!.GetValue<string>() == "path")
            .Aggregate(path, (url, p) => url.Replace($"{{{p["name"]}}}", p["name"]!.GetValue<string>() == name ? value : Uri.EscapeDataString(Value(p))));
        var url = Fill();
        var writes = method is "POST" or "PUT" or "PATCH";
        var body = Body(operation, document);
        yield return new Probe(method, url, () => writes ? Json(body.benign) : null, "benign");

        foreach (var p in parameters)
        {
            var name = p["name"]!.GetValue<string>();
            var values = p["schema"]?["format"]?.GetValue<string>() == "uuid" ? HostileGuids
                : p["schema"]?["type"]?.GetValue<string>() == "integer" ? HostileNumbers : HostileStrings;
            foreach (var value in values)
            {
                if (p["in"]!.GetValue<string>() == "path" && value == "%00")
                {
                    continue; // Kestrel refuses a NUL in the path with a 400 before the app sees it; the in-process server throws instead
                }
                yield return p["in"]!.GetValue<string>() == "path"
                    ? new Probe(method, Fill(name, value), () => writes ? Json(body.benign) : null, $"path {name}={Short(value)}")
                    : new Probe(method, $"{url}?{name}={value}", () => writes ? Json(body.benign) : null, $"query {name}={Short(value)}");
            }
        }
        if (!writes)
        {
            yield break;
        }
        string[] raw = ["", "{", "null", "[]", "\"text\"", "{\"a\":1e999}", new string('[', 5000) + new string(']', 5000), "{\"x\":\"\\ud800\"}", "{\"x\":\"\ud800\"}"];
        foreach (var text in raw)
        {
            yield return new Probe(method, url, () => Json(text), $"body {Short(text)}");
        }
        foreach (var hostile in body.hostile)
        {
            yield return new Probe(method, url, () => Json(hostile), $"body {Short(hostile)}");
        }
        yield return new Probe(method, url, () => new ByteArrayContent([0xff, 0xfe, 0x00, 0xc3, 0x28]) { Headers = { ContentType = new("application/json") } }, "invalid UTF-8");
        yield return new Probe(method, url, () => new StringContent(body.benign, Encoding.UTF8, "text/plain"), "text/plain");
        yield return new Probe(method, url, () => new StringContent(body.benign, Encoding.UTF8, "application/xml"), "application/xml");
        yield return new Probe(method, url, () =>
        {
            var content = new ByteArrayContent("--x\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ndpa"u8.ToArray());
            content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");
            return content;
        }, "multipart without boundary");
        yield return new Probe(method, url, () =>
        {
            var content = new ByteArrayContent([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]) { Headers = { ContentType = new("application/x-ndjson") } };
            content.Headers.ContentEncoding.Add("gzip");
            return content;
        }, "truncated gzip ndjson");
        yield return new Probe(method, url, () => new StringContent("{\"prompt\":1}\nnot json\n\0\n", Encoding.UTF8, "application/x-ndjson"), "bad ndjson");
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    /// <summary>A benign body (each property of the request schema given a plausible value) and hostile ones: every
    /// property the wrong type, null, or an enormous string.</summary>
    private static (string benign, List<string> hostile) Body(JsonNode operation, JsonNode document)
    {
        var schema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
        if (schema?["$ref"]?.GetValue<string>() is { } reference)
        {
            schema = document["components"]!["schemas"]![reference.Split('/')[^1]];
        }
        var properties = schema?["properties"]?.AsObject().Select(p => (p.Key, Type: p.Value?["type"]?.ToJsonString() ?? "\"object\"")).ToList() ?? [];
        JsonObject Make(Func<string, string, JsonNode?> value) => new(properties.Select(p => KeyValuePair.Create(p.Key, value(p.Key, p.Type))));
        var benign = Make((_, type) => type.Contains("array") ? new JsonArray() : type.Contains("integer") || type.Contains("number") ? 1
            : type.Contains("boolean") ? true : type.Contains("string") ? "x" : new JsonObject());
        var hostile = new List<string>
        {
            Make((_, type) => type.Contains("string") ? new JsonObject() : "wrong type").ToJsonString(),
            Make((_, _) => null).ToJsonString(),
            Make((_, type) => type.Contains("array") ? new JsonArray(Enumerable.Range(0, 5000).Select(i => (JsonNode)$"item-{i}").ToArray())
                : new string('\u202e', 200_000)).ToJsonString(),
            Make((_, type) => type.Contains("integer") || type.Contains("number") ? -99999999999999999 : "\u0000").ToJsonString(),
        };
        // One property at a time made hostile, the rest plausible, so validation of the others does not hide it.
        foreach (var (key, _) in properties.Where(p => p.Type.Contains("string")))
        {
            var one = JsonNode.Parse(benign.ToJsonString())!.AsObject();
            one[key] = "x\u0000y";
            hostile.Add(one.ToJsonString());
        }
        return (benign.ToJsonString(), hostile);
    }
}

public sealed class HostileBatteryOnEmbedded(EmbeddedGateway app) : HostileBatteryTests<EmbeddedGateway>(app);

public sealed class HostileBatteryOnProduction(ProductionGateway app) : HostileBatteryTests<ProductionGateway>(app);
