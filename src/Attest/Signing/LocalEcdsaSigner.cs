using System.Security.Cryptography;

namespace VendorGate.Attest.Signing;

/// <summary>An ECDSA P-256 private key in a PEM file (PKCS#8), created on first use with mode 0600. The key id
/// is the RFC 7638 thumbprint of its public key.</summary>
public sealed class LocalEcdsaSigner : ISigner, IDisposable
{
    private readonly ECDsa _key;
    private readonly Jwk _public;

    private LocalEcdsaSigner(ECDsa key)
    {
        _key = key;
        _public = Jwk.FromECDsa(key);
    }

    /// <summary>Loads the key at <paramref name="pemPath"/>, creating it (and its folder, 0700) if it does not exist.</summary>
    public static LocalEcdsaSigner LoadOrCreate(string pemPath)
    {
        var key = ECDsa.Create();
        if (File.Exists(pemPath))
        {
            key.ImportFromPem(File.ReadAllText(pemPath));
            return new LocalEcdsaSigner(key);
        }
        key.GenerateKey(ECCurve.NamedCurves.nistP256);
        var folder = Path.GetDirectoryName(Path.GetFullPath(pemPath))!;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        else
        {
            Directory.CreateDirectory(folder);
        }
        try
        {
            using var file = new FileStream(pemPath, options);
            using var writer = new StreamWriter(file);
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }
        catch (IOException) when (File.Exists(pemPath))
        {
            // Another process created it first: use that one.
            key.Dispose();
            return LoadOrCreate(pemPath);
        }
        return new LocalEcdsaSigner(key);
    }

    /// <inheritdoc />
    public Task<Jwk> GetCurrentKeyAsync(CancellationToken cancellationToken = default) => Task.FromResult(_public);

    /// <inheritdoc />
    public Task<byte[]> SignAsync(Jwk key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (key.Kid != _public.Kid)
        {
            throw new ArgumentException($"this signer holds key {_public.Kid}, not {key.Kid}", nameof(key));
        }
        return Task.FromResult(_key.SignData(data.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
