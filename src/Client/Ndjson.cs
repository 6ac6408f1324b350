using System.Runtime.CompilerServices;
using System.Text.Json;

namespace VendorGate.Client;

// The NDJSON the Gateway streams, line by line. The OpenAPI document describes these bodies as binary streams; their
// line formats are documented in the operations' summaries and here.

/// <summary>A line of <c>GET /v1/snapshots/{version}/manifest</c>: example <see cref="Index"/> of the snapshot, its
/// digest, where it came from and its domain (null when the line named none in a batch declaring several).</summary>
public sealed record ManifestEntry(long Index, string Digest, Guid BatchId, Guid AnnotatorId, long Line, string? Domain);

/// <summary>A line of <c>GET /v1/snapshots/{from}/diff/{to}?details=true</c>: an example <see cref="Change"/>d
/// ("added" or "removed") at <see cref="Index"/> of the snapshot it is in.</summary>
public sealed record DiffEntry(string Change, long Index, string Digest, Guid BatchId, Guid AnnotatorId);

public static class NdjsonDownloads
{
    /// <summary>Each line of an NDJSON download as <typeparamref name="T"/>, read as it streams.</summary>
    public static async IAsyncEnumerable<T> LinesAsync<T>(this Download download, [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var reader = new StreamReader(download.Content);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0)
            {
                yield return JsonSerializer.Deserialize<T>(line, VendorGateClient.Json)
                    ?? throw new JsonException($"A line of the download is null where a {typeof(T).Name} was expected.");
            }
        }
    }
}
