using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using VendorGate.Attest.Signing;

namespace VendorGate.Attest.KeyVault;

/// <summary>Options of the Key Vault client; retry (429/503 with Retry-After are honoured) and transport come from <see cref="ClientOptions"/>.</summary>
public sealed class KeyVaultSignerOptions : ClientOptions
{
    /// <summary>The Key Vault REST API version.</summary>
    public string ApiVersion { get; set; } = "7.6";

    /// <summary>Algorithm for RSA keys (<c>PS256</c> or <c>RS256</c>); EC P-256 keys always sign ES256.</summary>
    public string RsaAlgorithm { get; set; } = "PS256";

    /// <summary>How long the current key version is trusted before asking the vault again (rotation shows up within this).</summary>
    public TimeSpan CurrentKeyRefresh { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock <see cref="CurrentKeyRefresh"/> is measured on.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;
}

/// <summary>
/// Signs with a key that never leaves Azure Key Vault, over its REST API (<c>Azure.Security.KeyVault.Keys</c> is not
/// available): <c>GET keys/{name}</c> to find the newest enabled version, <c>POST {kid}/sign</c> with the SHA-256 digest.
/// Public keys are fetched once per version and cached; the <c>kid</c> of a signature is the full key version URL.
/// </summary>
public sealed class KeyVaultSigner : ISigner
{
    private readonly HttpPipeline _pipeline;
    private readonly KeyVaultSignerOptions _options;
    private readonly Uri _vault;
    private readonly string _name;
    private readonly string? _pinnedVersion;
    private readonly Dictionary<string, Jwk> _publicKeys = [];
    private readonly SemaphoreSlim _lock = new(1, 1);
    private (Jwk Key, DateTimeOffset FetchedAt)? _current;

    /// <param name="keyId"><c>https://{vault}/keys/{name}</c> (newest enabled version signs) or <c>…/{name}/{version}</c> (pinned).</param>
    /// <param name="credential">DefaultAzureCredential, ClientSecretCredential, …</param>
    /// <param name="options">Retry, transport, API version.</param>
    public KeyVaultSigner(Uri keyId, TokenCredential credential, KeyVaultSignerOptions? options = null)
    {
        var segments = keyId.AbsolutePath.Trim('/').Split('/');
        if (segments is not ["keys", var name, ..] || segments.Length > 3)
        {
            throw new ArgumentException($"'{keyId}' is not a Key Vault key id (https://<vault>/keys/<name>[/<version>])", nameof(keyId));
        }
        _vault = new Uri(keyId.GetLeftPart(UriPartial.Authority));
        _name = name;
        _pinnedVersion = segments.Length == 3 ? segments[2] : null;
        _options = options ?? new KeyVaultSignerOptions();
        _pipeline = HttpPipelineBuilder.Build(_options, new KeyVaultChallengePolicy(credential));
    }

    /// <inheritdoc />
    public async Task<Jwk> GetCurrentKeyAsync(CancellationToken cancellationToken = default)
    {
        if (_current is { } c && _options.Time.GetUtcNow() - c.FetchedAt < _options.CurrentKeyRefresh)
        {
            return c.Key;
        }
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var bundle = await SendAsync(RequestMethod.Get, $"keys/{_name}/{_pinnedVersion}", null, cancellationToken);
            if (bundle["attributes"]?["enabled"]?.GetValue<bool>() == false && _pinnedVersion is null)
            {
                bundle = await NewestEnabledAsync(cancellationToken);
            }
            var key = Remember(bundle);
            _current = (key, _options.Time.GetUtcNow());
            return key;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The public key of one version (cached: versions never change).</summary>
    public async Task<Jwk> GetKeyAsync(string kid, CancellationToken cancellationToken = default)
    {
        lock (_publicKeys)
        {
            if (_publicKeys.TryGetValue(kid, out var cached))
            {
                return cached;
            }
        }
        var version = new Uri(kid).AbsolutePath.Trim('/').Split('/')[^1];
        return Remember(await SendAsync(RequestMethod.Get, $"keys/{_name}/{version}", null, cancellationToken));
    }

    /// <inheritdoc />
    public async Task<byte[]> SignAsync(Jwk key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var digest = SHA256.HashData(data.Span);
        var body = new JsonObject { ["alg"] = key.Alg, ["value"] = Base64Url.EncodeToString(digest) };
        var path = new Uri(key.Kid).AbsolutePath.TrimStart('/') + "/sign";
        var result = await SendAsync(RequestMethod.Post, path, body, cancellationToken);
        var signature = Base64Url.DecodeFromChars(result["value"]!.GetValue<string>());
        // Never hand back a signature the public key does not confirm (wrong key, wrong algorithm, corrupted reply).
        if (!key.Verify(data.Span, signature))
        {
            throw new CryptographicException($"Key Vault returned a signature that does not verify with {key.Kid}.");
        }
        return signature;
    }

    private async Task<JsonNode> NewestEnabledAsync(CancellationToken cancellationToken)
    {
        var page = await SendAsync(RequestMethod.Get, $"keys/{_name}/versions", null, cancellationToken);
        var versions = new List<JsonNode>();
        while (true)
        {
            versions.AddRange(page["value"]!.AsArray().Where(v => v is not null)!);
            if (page["nextLink"]?.GetValue<string>() is not { Length: > 0 } next)
            {
                break;
            }
            page = await SendAsync(RequestMethod.Get, new Uri(next), null, cancellationToken);
        }
        var newest = versions.Where(v => v["attributes"]?["enabled"]?.GetValue<bool>() != false)
            .MaxBy(v => v["attributes"]?["created"]?.GetValue<long>() ?? 0)
            ?? throw new InvalidOperationException($"Key Vault key '{_name}' has no enabled version.");
        var version = new Uri(newest["kid"]!.GetValue<string>()).AbsolutePath.Trim('/').Split('/')[^1];
        return await SendAsync(RequestMethod.Get, $"keys/{_name}/{version}", null, cancellationToken);
    }

    private Jwk Remember(JsonNode bundle)
    {
        var key = bundle["key"] ?? throw new InvalidOperationException("Key Vault answered without a key.");
        string? Str(string name) => key[name]?.GetValue<string>();
        var kid = Str("kid")!;
        var kty = Str("kty")!;
        var jwk = kty.StartsWith("EC", StringComparison.Ordinal)
            ? Str("crv") == "P-256" ? new Jwk(kid, "EC", "ES256", "P-256", Str("x"), Str("y"))
                : throw new NotSupportedException($"Key Vault key {kid} is on curve {Str("crv")}; only P-256 is supported.")
            : new Jwk(kid, "RSA", _options.RsaAlgorithm, N: Str("n"), E: Str("e"));
        lock (_publicKeys)
        {
            _publicKeys[kid] = jwk;
        }
        return jwk;
    }

    private Task<JsonNode> SendAsync(RequestMethod method, string path, JsonNode? body, CancellationToken cancellationToken) =>
        SendAsync(method, new Uri(_vault, path.TrimEnd('/')), body, cancellationToken);

    private async Task<JsonNode> SendAsync(RequestMethod method, Uri uri, JsonNode? body, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        var builder = new RequestUriBuilder();
        builder.Reset(uri);
        if (!builder.Query.Contains("api-version=", StringComparison.Ordinal))
        {
            builder.AppendQuery("api-version", _options.ApiVersion);
        }
        request.Uri = builder;
        request.Headers.Add("Accept", "application/json");
        if (body is not null)
        {
            request.Headers.Add("Content-Type", "application/json");
            request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(body));
        }
        try
        {
            await _pipeline.SendAsync(message, cancellationToken);
        }
        catch (RequestFailedException e) // the transport failed after the pipeline's retries
        {
            throw new SignerUnavailableException($"Key Vault is unreachable: {e.Message.Split('\n')[0]}", transient: true, e);
        }
        var response = message.Response;
        if (response.IsError)
        {
            throw Unavailable(response);
        }
        return JsonNode.Parse(response.Content.ToStream()) ?? throw new SignerUnavailableException("Key Vault answered with an empty body.", transient: true);
    }

    /// <summary>Key Vault's error as the signer's: throttling (429), timeouts and server errors are transient, and its
    /// <c>Retry-After</c> is kept; 401/403/404 mean the configuration or the key's access policy is wrong.</summary>
    private static SignerUnavailableException Unavailable(Response response)
    {
        var failure = new RequestFailedException(response);
        var retryAfter = response.Headers.TryGetValue("Retry-After", out var value) && int.TryParse(value, out var seconds) ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        return new SignerUnavailableException($"Key Vault answered {response.Status}{(failure.ErrorCode is { } code ? $" ({code})" : "")}",
            transient: response.Status is 408 or 429 or >= 500, failure) { RetryAfter = retryAfter };
    }
}
