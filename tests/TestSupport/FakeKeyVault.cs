using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VendorGate.TestSupport;

/// <summary>
/// The Key Vault REST protocol (keys: create, get, list versions, update, sign) served over real HTTPS on loopback
/// with a self-signed certificate, real keys and real signatures, and the real authentication handshake: a request
/// without the expected bearer token gets 401 with a <c>WWW-Authenticate</c> challenge naming the tenant and resource.
/// <see cref="Down"/> and <see cref="ThrottleNext"/> inject 503 and 429 with <c>Retry-After</c>.
/// </summary>
public sealed class FakeKeyVault : IAsyncDisposable
{
    public const string TenantId = "vendorgate-test-tenant";
    public const string AccessToken = "fake-vault-token-7f3a";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, List<KeyVersion>> _keys = new();
    private int _throttle;

    private FakeKeyVault(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }
    public Uri VaultUri { get; private set; } = null!;

    /// <summary>While set, every request answers 503 with Retry-After: 1 (the vault is refusing).</summary>
    public bool Down { get; set; }

    /// <summary>The next n authenticated requests answer 429 with Retry-After: 1.</summary>
    public int ThrottleNext { get => _throttle; set => _throttle = value; }

    /// <summary>The resource the challenge names (to test that a foreign resource is refused).</summary>
    public string? ChallengeResourceOverride { get; set; }

    /// <summary>Every request as "METHOD path status auth?body-bytes".</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>An HTTP transport that trusts exactly this server's certificate.</summary>
    public HttpPipelineTransport Transport => new HttpClientTransport(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == Certificate.Thumbprint,
    });

    /// <summary>A credential standing in for Entra ID: it issues <see cref="AccessToken"/> and records what was asked.</summary>
    public RecordingCredential Credential { get; } = new();

    public static async Task<FakeKeyVault> StartAsync()
    {
        var certificate = SelfSignedCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var vault = new FakeKeyVault(app, certificate);
        vault.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        vault.VaultUri = new Uri(address.Replace("[::1]", "127.0.0.1") + "/");
        return vault;
    }

    /// <summary>Creates a new version of key <paramref name="name"/> and returns its kid.</summary>
    public string CreateKey(string name, string kty = "EC")
    {
        var version = new KeyVersion(Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + Versions(name).Count,
            kty == "EC" ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null, kty == "RSA" ? RSA.Create(3072) : null);
        lock (Versions(name))
        {
            Versions(name).Add(version);
        }
        return Kid(name, version);
    }

    public void Disable(string name, string kid) => Versions(name).Single(v => kid.EndsWith(v.Id, StringComparison.Ordinal)).Enabled = false;

    private List<KeyVersion> Versions(string name) => _keys.GetOrAdd(name, _ => []);

    private string Kid(string name, KeyVersion v) => new Uri(VaultUri, $"keys/{name}/{v.Id}").ToString();

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var authorized = context.Request.Headers.Authorization == $"Bearer {AccessToken}";
            if (Down)
            {
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "1";
            }
            else if (!authorized)
            {
                var resource = ChallengeResourceOverride ?? VaultUri.GetLeftPart(UriPartial.Authority);
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.fake.test/{TenantId}\", resource=\"{resource}\"";
            }
            else if (Interlocked.Decrement(ref _throttle) >= 0)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
            }
            else if (!context.Request.Query.ContainsKey("api-version"))
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsJsonAsync(Error("BadParameter", "api-version is required"));
            }
            else
            {
                await next(context);
            }
            if (_throttle < 0)
            {
                Interlocked.Exchange(ref _throttle, 0);
            }
            Log.Enqueue($"{context.Request.Method} {context.Request.Path} {context.Response.StatusCode} {(authorized ? "auth" : "anon")} {context.Request.ContentLength ?? 0}");
        });

        app.MapPost("/keys/{name}/create", (string name, JsonObject body) =>
            Bundle(name, Find(name, null, CreateKey(name, body["kty"]?.GetValue<string>() ?? "EC"))!));
        app.MapGet("/keys/{name}", (string name) => Find(name, null) is { } v ? Bundle(name, v) : NotFound(name));
        app.MapGet("/keys/{name}/versions", (string name) => Results.Json(new JsonObject
        {
            ["value"] = new JsonArray(Versions(name).Select(v => (JsonNode)new JsonObject
            {
                ["kid"] = Kid(name, v), ["attributes"] = Attributes(v),
            }).ToArray()),
            ["nextLink"] = null,
        }));
        app.MapGet("/keys/{name}/{version}", (string name, string version) => Find(name, version) is { } v ? Bundle(name, v) : NotFound(name));
        app.MapPost("/keys/{name}/{version}/sign", (string name, string version, JsonObject body) =>
        {
            if (Find(name, version) is not { } v)
            {
                return NotFound(name);
            }
            if (!v.Enabled)
            {
                return Results.Json(Error("Forbidden", "Operation sign is not allowed on a disabled key."), statusCode: 403);
            }
            var alg = body["alg"]?.GetValue<string>();
            var digest = Base64Url.DecodeFromChars(body["value"]?.GetValue<string>() ?? "");
            if (digest.Length != 32)
            {
                return Results.Json(Error("BadParameter", "value must be a SHA-256 digest"), statusCode: 400);
            }
            byte[] signature = (alg, v) switch
            {
                ("ES256", { Ec: { } ec }) => ec.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
                ("PS256", { Rsa: { } rsa }) => rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
                ("RS256", { Rsa: { } rsa }) => rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                _ => [],
            };
            return signature.Length == 0
                ? Results.Json(Error("BadParameter", $"algorithm {alg} does not fit the key"), statusCode: 400)
                : Results.Json(new JsonObject { ["kid"] = Kid(name, v), ["value"] = Base64Url.EncodeToString(signature) });
        });
    }

    private KeyVersion? Find(string name, string? version, string? kid = null)
    {
        var versions = Versions(name);
        lock (versions)
        {
            return kid is not null ? versions.Single(v => kid.EndsWith(v.Id, StringComparison.Ordinal))
                : version is null ? versions.LastOrDefault()
                : versions.FirstOrDefault(v => v.Id == version);
        }
    }

    private IResult Bundle(string name, KeyVersion v)
    {
        var key = new JsonObject { ["kid"] = Kid(name, v) };
        if (v.Ec is { } ec)
        {
            var p = ec.ExportParameters(false);
            key["kty"] = "EC";
            key["crv"] = "P-256";
            key["x"] = Base64Url.EncodeToString(p.Q.X);
            key["y"] = Base64Url.EncodeToString(p.Q.Y);
        }
        else
        {
            var p = v.Rsa!.ExportParameters(false);
            key["kty"] = "RSA";
            key["n"] = Base64Url.EncodeToString(p.Modulus);
            key["e"] = Base64Url.EncodeToString(p.Exponent);
        }
        key["key_ops"] = new JsonArray("sign", "verify");
        return Results.Json(new JsonObject { ["key"] = key, ["attributes"] = Attributes(v) });
    }

    private static JsonObject Attributes(KeyVersion v) => new() { ["enabled"] = v.Enabled, ["created"] = v.Created, ["updated"] = v.Created };

    private static IResult NotFound(string name) => Results.Json(Error("KeyNotFound", $"A key with (name/id) {name} was not found in this key vault."), statusCode: 404);

    private static JsonObject Error(string code, string message) => new() { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }

    private sealed class KeyVersion(string id, long created, ECDsa? ec, RSA? rsa)
    {
        public string Id { get; } = id;
        public long Created { get; } = created;
        public ECDsa? Ec { get; } = ec;
        public RSA? Rsa { get; } = rsa;
        public bool Enabled { get; set; } = true;
    }
}

/// <summary>Issues <see cref="FakeKeyVault.AccessToken"/> and records every token request (scope and tenant).</summary>
public sealed class RecordingCredential : TokenCredential
{
    public ConcurrentQueue<TokenRequestContext> Requests { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Requests.Enqueue(requestContext);
        return new AccessToken(FakeKeyVault.AccessToken, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
