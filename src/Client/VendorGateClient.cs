using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace VendorGate.Client;

/// <summary>A refusal from the Gateway: its RFC 9457 problem (status, machine-readable code, human detail).</summary>
public sealed class VendorGateProblemException(HttpStatusCode status, string code, string detail, JsonElement problem)
    : Exception($"{(int)status} {code}: {detail}")
{
    public HttpStatusCode Status => status;
    public string Code => code;
    public string Detail => detail;

    /// <summary>The whole problem document (validation errors are under <c>errors</c>).</summary>
    public JsonElement Problem => problem;
}

/// <summary>Marks a client method with the Gateway operation it calls, so a test can check every method against the
/// committed OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OperationAttribute(string method, string path) : Attribute
{
    public string Method => method;
    public string Path => path;
}

/// <summary>The Gateway's API as typed methods over an <see cref="HttpClient"/> whose base address is the Gateway.
/// <paramref name="credential"/> (an API key or an OpenID Connect access token) is sent with every request.</summary>
public sealed class VendorGateClient(HttpClient http, string? credential)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Operation("GET", "/v1/me")]
    public Task<Principal> GetMeAsync(CancellationToken ct = default) => GetAsync<Principal>("/v1/me", ct);

    [Operation("GET", "/v1/principals/{principalId}")]
    public Task<Principal> GetPrincipalAsync(Guid principalId, CancellationToken ct = default) => GetAsync<Principal>($"/v1/principals/{principalId}", ct);

    /// <summary>Batches the caller may see, newest first, optionally of one status and one vendor.</summary>
    [Operation("GET", "/v1/batches")]
    public IAsyncEnumerable<Batch> ListBatchesAsync(string? status = null, Guid? vendorId = null, CancellationToken ct = default) =>
        PagesAsync<Batch>("/v1/batches" + Query(("status", status), ("vendorId", vendorId?.ToString())), ct);

    [Operation("GET", "/v1/batches/{batchId}")]
    public Task<Batch> GetBatchAsync(Guid batchId, CancellationToken ct = default) => GetAsync<Batch>($"/v1/batches/{batchId}", ct);

    [Operation("GET", "/v1/snapshots")]
    public IAsyncEnumerable<Snapshot> ListSnapshotsAsync(CancellationToken ct = default) => PagesAsync<Snapshot>("/v1/snapshots", ct);

    [Operation("GET", "/v1/snapshots/{version}/content")]
    public Task<Stream> GetSnapshotContentAsync(string version, CancellationToken ct = default) => StreamAsync($"/v1/snapshots/{Uri.EscapeDataString(version)}/content", ct);

    [Operation("GET", "/v1/revocations")]
    public IAsyncEnumerable<Revocation> ListRevocationsAsync(CancellationToken ct = default) => PagesAsync<Revocation>("/v1/revocations", ct);

    [Operation("GET", "/v1/revocations/{id}")]
    public Task<Revocation> GetRevocationAsync(Guid id, CancellationToken ct = default) => GetAsync<Revocation>($"/v1/revocations/{id}", ct);

    [Operation("GET", "/v1/audit")]
    public Task<AuditPage> GetAuditAsync(long after = 0, int limit = 100, CancellationToken ct = default) =>
        GetAsync<AuditPage>($"/v1/audit?after={after}&limit={limit}", ct);

    [Operation("GET", "/v1/audit/verify")]
    public Task<AuditVerification> VerifyAuditAsync(CancellationToken ct = default) => GetAsync<AuditVerification>("/v1/audit/verify", ct);

    private static string Query(params (string Name, string? Value)[] parameters) =>
        string.Concat(parameters.Where(p => p.Value is not null).Select((p, i) => $"{(i == 0 ? '?' : '&')}{p.Name}={Uri.EscapeDataString(p.Value!)}"));

    private async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, HttpCompletionOption.ResponseContentRead, ct);
        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }

    /// <summary>Every item of a paged list, fetching pages (500 at a time) as the caller enumerates.</summary>
    private async IAsyncEnumerable<T> PagesAsync<T>(string path, [EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            var separator = path.Contains('?') ? '&' : '?';
            var page = await GetAsync<Page<T>>($"{path}{separator}limit=500{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}", ct);
            foreach (var item in page.Items)
            {
                yield return item;
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>A download as it streams; the caller disposes the stream (which ends the response).</summary>
    private async Task<Stream> StreamAsync(string path, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Get, path, HttpCompletionOption.ResponseHeadersRead, ct);
        return await response.Content.ReadAsStreamAsync(ct);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpCompletionOption completion, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (credential is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }
        var response = await http.SendAsync(request, completion, ct);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            var problem = text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default;
            string Member(string name) => problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            throw new VendorGateProblemException(response.StatusCode, Member("code"), Member("detail"), problem);
        }
    }
}
