using System.Security.Cryptography;
using VendorGate.Attest.Signing;

namespace VendorGate.Cli;

/// <summary>The vendor's private signing key (PEM: PKCS#8, SEC1 EC or PKCS#1 RSA), for co-signing the receipt
/// statement. Its key id is the RFC 7638 thumbprint, which is what the Gateway names a registered key by.</summary>
public sealed class VendorKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;

    private VendorKey(AsymmetricAlgorithm key, Jwk publicKey) => (_key, Public) = (key, publicKey);

    public Jwk Public { get; }

    public string KeyId => Public.Kid;

    public static VendorKey Load(string file)
    {
        var pem = File.ReadAllText(file);
        if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new UsageException($"{file} is encrypted; give an unencrypted PEM (e.g. `openssl pkcs8 -in {file} -nocrypt -out key.pem`).");
        }
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return new VendorKey(ec, Jwk.FromECDsa(ec));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ec.Dispose(); // not an EC key, or not P-256: try RSA
        }
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new VendorKey(rsa, Jwk.FromRsa(rsa));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new UsageException($"{file} holds no P-256 or RSA private key in PEM form.");
        }
    }

    /// <summary>Signs the DSSE pre-authentication encoding with the algorithm the key is registered for
    /// (<paramref name="algorithm"/>: ES256, PS256 or RS256).</summary>
    public byte[] Sign(byte[] pae, string algorithm) => (_key, algorithm) switch
    {
        (ECDsa ec, "ES256") => ec.SignData(pae, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        (RSA rsa, "PS256") => rsa.SignData(pae, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        (RSA rsa, "RS256") => rsa.SignData(pae, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new UsageException($"The key is registered for {algorithm}, which this {Public.Kty} key cannot sign."),
    };

    public void Dispose() => _key.Dispose();
}
