using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VendorGate.Client;

/// <summary>A refusal from the Gateway: its RFC 9457 problem (status, machine-readable code, human detail).</summary>
public sealed class VendorGateProblemException(HttpStatusCode status, string code, string detail, JsonElement problem, TimeSpan? retryAfter = null)
    : Exception($"{(int)status} {code}: {detail}")
{
    public HttpStatusCode Status => status;
    public string Code => code;
    public string Detail => detail;

    /// <summary>How long the Gateway asked the client to wait before trying again (<c>Retry-After</c> of a 503), if it did.</summary>
    public TimeSpan? RetryAfter => retryAfter;

    /// <summary>The whole problem document (validation errors are under <c>errors</c>).</summary>
    public JsonElement Problem => problem;

    /// <summary>Validation errors by field (<c>errors</c> of a 400), empty when there are none.</summary>
    public IReadOnlyDictionary<string, string[]> Errors =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.Deserialize<Dictionary<string, string[]>>(VendorGateClient.Json)!
            : new Dictionary<string, string[]>();
}

/// <summary>A streamed response (NDJSON, PDF, a file): its content as it arrives, its media type, file name and headers.
/// Dispose it to end the response.</summary>
public sealed class Download(HttpResponseMessage response, Stream content) : IDisposable, IAsyncDisposable
{
    public Stream Content => content;
    public string? MediaType => response.Content.Headers.ContentType?.MediaType;
    public string? FileName => (response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName)?.Trim('"');

    /// <summary>A response header's first value, or null.</summary>
    public string? Header(string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    public void Dispose()
    {
        content.Dispose();
        response.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await content.DisposeAsync();
        response.Dispose();
    }
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
/// <paramref name="credential"/> (an API key or an OpenID Connect access token) is sent with every request. The
/// operations are generated from the committed OpenAPI document (Generated.cs); this half is the transport.</summary>
public sealed partial class VendorGateClient(HttpClient http, string? credential)
{
    /// <summary>The Gateway's JSON: camelCase; a request leaves out what it does not set.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The page size the enumerating methods ask for.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>The audit log from <paramref name="after"/> on, fetching pages as the caller enumerates.</summary>
    public async IAsyncEnumerable<AuditEntryView> ListAllAuditAsync(long after = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        long? next = after;
        while (next is { } from)
        {
            var page = await ListAuditAsync(from, PageSize, ct);
            foreach (var entry in page.Items)
            {
                yield return entry;
            }
            next = page.Next;
        }
    }

    /// <summary>Sends block <paramref name="number"/> of an upload session with its RFC 9530 Content-Digest (SHA-256), which
    /// the Gateway verifies; sending a block again replaces it.</summary>
    public Task<UploadBlockView> PutUploadBlockAsync(Guid batchId, Guid sessionId, int number, ReadOnlyMemory<byte> block, CancellationToken ct = default)
    {
        var content = new ReadOnlyMemoryContent(block);
        content.Headers.ContentType = new("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Content-Digest", $"sha-256=:{Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(block.Span))}:");
        return PutUploadBlockAsync(batchId, sessionId, number, content, ct);
    }

    /// <summary>Commits an upload session with the vendor's co-signature of the prepared receipt statement
    /// (<see cref="VendorSignature"/>), which the Gateway checks before it reads a block.</summary>
    public Task<UploadReceipt> CommitUploadSessionAsync(Guid batchId, Guid sessionId, string vendorSignature, CancellationToken ct = default)
    {
        var content = new ByteArrayContent([]);
        content.Headers.TryAddWithoutValidation(Headers.VendorSignature, vendorSignature);
        return JsonAsync<UploadReceipt>(HttpMethod.Post, $"/v1/batches/{Segment(batchId)}/uploads/{Segment(sessionId)}/commit", content, ct);
    }

    /// <summary>The <see cref="Headers.VendorSignature"/> value: <c>keyid="…", sig="&lt;base64&gt;"</c>.</summary>
    public static string VendorSignature(string keyId, byte[] signature) => $"keyid=\"{keyId}\", sig=\"{Convert.ToBase64String(signature)}\"";

    private static JsonContent JsonContent<T>(T body) => System.Net.Http.Json.JsonContent.Create(body, options: Json);

    private static string Segment<T>(T value) where T : notnull => Uri.EscapeDataString(Format(value));

    private static string Query(params (string Name, object? Value)[] parameters) =>
        string.Concat(parameters.Where(p => p.Value is not null).Select((p, i) => $"{(i == 0 ? '?' : '&')}{p.Name}={Uri.EscapeDataString(Format(p.Value!))}"));

    private static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    private async Task<T> JsonAsync<T>(HttpMethod method, string path, HttpContent? body, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, body, HttpCompletionOption.ResponseContentRead, ct);
        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }

    private async Task<string> TextAsync(HttpMethod method, string path, HttpContent? body, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, body, HttpCompletionOption.ResponseContentRead, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    private async Task NoContentAsync(HttpMethod method, string path, HttpContent? body, CancellationToken ct)
    {
        using var _ = await SendAsync(method, path, body, HttpCompletionOption.ResponseContentRead, ct);
    }

    /// <summary>A download as it streams; the caller disposes it (which ends the response).</summary>
    private async Task<Download> DownloadAsync(HttpMethod method, string path, HttpContent? body, CancellationToken ct)
    {
        var response = await SendAsync(method, path, body, HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            return new Download(response, await response.Content.ReadAsStreamAsync(ct));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Every item of a cursor-paged list, fetching the next page only when the caller has read this one.</summary>
    private static async IAsyncEnumerable<T> PagesAsync<TPage, T>(Func<string?, Task<TPage>> fetch, Func<TPage, (IReadOnlyList<T> Items, string? Next)> split,
        [EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            ct.ThrowIfCancellationRequested();
            var (items, next) = split(await fetch(cursor));
            foreach (var item in items)
            {
                yield return item;
            }
            cursor = next;
        }
        while (cursor is not null);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? body, HttpCompletionOption completion, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
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
            var problem = default(JsonElement);
            try
            {
                problem = text.TrimStart().StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default;
            }
            catch (JsonException)
            {
                // Not a problem document (a proxy's page): the status alone says what happened.
            }
            string Member(string name) => problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            var detail = Member("detail") is { Length: > 0 } d ? d : Member("title") is { Length: > 0 } t ? t : $"The Gateway answered {(int)response.StatusCode}.";
            throw new VendorGateProblemException(response.StatusCode, Member("code"), detail, problem, response.Headers.RetryAfter?.Delta);
        }
    }
}
