namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>A temporary folder for the files a test hands to a verifier (envelopes, bundles, the JWKS, downloads),
/// removed with the test class.</summary>
public sealed class ScratchDirectory(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Writes <paramref name="bytes"/> as <paramref name="name"/> here; its full path.</summary>
    public string Save(string name, byte[] bytes)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The Gateway's published keys (no credential needed), saved as <c>keys.json</c>; its full path.</summary>
    public async Task<string> KeysAsync(GatewayApplication app) =>
        Save("keys.json", await app.ClientFor(null).GetByteArrayAsync("/.well-known/vendorgate/keys"));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
