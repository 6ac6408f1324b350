using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Input;

/// <summary>Input no client should send gets a 4xx problem, never a 5xx: malformed cursors (one problem on every
/// list) and limits on every list.</summary>
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
            (procurement, $"/v1/vendors/{vendor.VendorId}/evidence"), (auditor, "/v1/snapshots"), (auditor, "/v1/models"),
            (auditor, "/v1/staff"), (auditor, "/v1/eval/coverage"),
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
        // The same cursor not returned by this API is the same problem on every list: a validation error naming it.
        foreach (var (client, path) in lists)
        {
            var problem = await (await client.GetAsync($"{path}?cursor=not-ours")).AssertProblem(HttpStatusCode.BadRequest, "validation");
            Assert.True(problem.Errors?.ContainsKey("cursor") == true, $"{path}: {problem}");
        }
    }

    [Fact]
    public async Task A_NUL_in_a_json_string_or_a_query_value_is_a_400_and_stores_nothing()
    {
        var name = Actors.Unique("Acme");
        var response = await _actors.Admin.PostAsJsonAsync("/v1/vendors", new { name = name + "\u0000", jurisdiction = "DE", contactEmail = "ops@example.com" });
        await response.AssertProblem(HttpStatusCode.BadRequest, "nul-character");
        var listed = await _actors.Admin.GetOk("/v1/vendors?limit=500");
        Assert.DoesNotContain(listed.GetProperty("items").EnumerateArray(), v => v.GetProperty("name").GetString()!.StartsWith(name, StringComparison.Ordinal));
        await (await _actors.Admin.GetAsync("/v1/vendors?cursor=a%00b")).AssertProblem(HttpStatusCode.BadRequest, "nul-character");
    }

    [Fact]
    public async Task A_lone_surrogate_escaped_or_raw_is_a_line_error()
    {
        var vendor = await _actors.NewVendorAsync();
        var id = (await vendor.Annotator.CreateBatchAsync()).Id;
        var body = new List<byte>();
        body.AddRange(Encoding.UTF8.GetBytes("{\"prompt\":\"p\",\"completion\":\"c\"}\n"));
        body.AddRange(Encoding.UTF8.GetBytes("{\"prompt\":\"\\ud800\",\"completion\":\"c\"}\n"));
        body.AddRange(Encoding.UTF8.GetBytes("{\"prompt\":\"x"));
        body.AddRange([0xED, 0xA0, 0x80]); // U+D800 encoded as if it were a scalar value: not UTF-8
        body.AddRange(Encoding.UTF8.GetBytes("\",\"completion\":\"c\"}\n"));

        var problem = await (await vendor.Annotator.UploadAsync(id, body.ToArray())).AssertProblem(HttpStatusCode.BadRequest, "invalid-lines");

        Assert.Equal([2L, 3L], problem.Lines!.Select(l => l.Line));
    }

    [Fact]
    public async Task Malformed_evidence_uploads_are_400_or_413_problems()
    {
        var vendor = await _actors.NewVendorAsync();
        var (_, procurement) = await _actors.NewStaffAsync("procurement");
        var path = $"/v1/vendors/{vendor.VendorId}/evidence";
        HttpContent Raw(string contentType, byte[] bytes)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            return content;
        }
        var part = "--b\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ndpa\r\n";
        var manyFields = new MultipartFormDataContent("many");
        for (var i = 0; i < 1_100; i++)
        {
            manyFields.Add(new StringContent("x"), $"f{i}");
        }
        // Chunked (no Content-Length) and larger than any evidence document may be.
        var chunked = new StreamContent(new MemoryStream(new byte[26 * 1024 * 1024]));
        chunked.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");

        var cases = new (string Name, HttpContent Content, HttpStatusCode Expected)[]
        {
            ("no boundary", Raw("multipart/form-data", Encoding.UTF8.GetBytes(part)), HttpStatusCode.BadRequest),
            ("truncated", Raw("multipart/form-data; boundary=b", Encoding.UTF8.GetBytes(part + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7 tru")), HttpStatusCode.BadRequest),
            ("1,100 fields", manyFields, HttpStatusCode.BadRequest),
            ("chunked past the limit", chunked, HttpStatusCode.RequestEntityTooLarge),
        };
        var failures = new List<string>();
        foreach (var (name, content, expected) in cases)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            if (name.StartsWith("chunked", StringComparison.Ordinal))
            {
                request.Headers.TransferEncodingChunked = true;
            }
            var response = await procurement.SendAsync(request);
            if (response.StatusCode != expected || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                failures.Add($"{name}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} {await response.Content.ReadAsStringAsync()}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Empty((await procurement.GetOk(path)).GetProperty("items").EnumerateArray());
    }
}

public sealed class HostileInputOnEmbedded(EmbeddedGateway app) : HostileInputTests<EmbeddedGateway>(app);

public sealed class HostileInputOnProduction(ProductionGateway app) : HostileInputTests<ProductionGateway>(app);
