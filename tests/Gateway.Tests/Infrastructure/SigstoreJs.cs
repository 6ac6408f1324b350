using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>sigstore-js (npm <c>@sigstore/verify</c>, installed by <c>scripts/test.sh</c>), run with node as a third-party
/// verifier of a key-based Sigstore bundle: no transparency log, no timestamp, the public key found by the bundle's hint.</summary>
public static class SigstoreJs
{
    private const string Script = """
        const fs = require('fs');
        const crypto = require('crypto');
        const { bundleFromJSON } = require('@sigstore/bundle');
        const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify');
        const [bundlePath, kid, pemPath] = process.argv.slice(2);
        const publicKey = crypto.createPublicKey(fs.readFileSync(pemPath, 'utf8'));
        const trust = toTrustMaterial(
          { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] },
          hint => { if (hint !== kid) throw new Error(`no key for hint ${hint}`); return { publicKey, validFor: () => true }; });
        try {
          const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
          new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(bundle));
          console.log(`verified: ${bundle.mediaType} ${bundle.content.dsseEnvelope.payloadType}`);
        } catch (e) {
          console.log(`refused: ${e.code ?? ''} ${e.message}`);
          process.exit(1);
        }
        """;

    private static readonly Lazy<string> ScriptFile = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vg-sigstore-js-").FullName, "verify.js");
        File.WriteAllText(path, Script);
        return path;
    });

    /// <summary>Verifies the bundle at <paramref name="bundle"/> with the key <paramref name="kid"/> (SPKI PEM).</summary>
    public static (int Code, string Output) Verify(string bundle, string kid, string publicKeyPem)
    {
        var modules = Environment.GetEnvironmentVariable("VG_TEST_SIGSTORE_JS")
            ?? throw new InvalidOperationException("VG_TEST_SIGSTORE_JS is not set: run the suite with `bash scripts/test.sh`, which installs sigstore-js.");
        var pem = Path.Combine(Path.GetDirectoryName(ScriptFile.Value)!, $"{Guid.NewGuid():N}.pem");
        File.WriteAllText(pem, publicKeyPem);
        var start = new ProcessStartInfo("node", [ScriptFile.Value, bundle, kid, pem]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["NODE_PATH"] = modules;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Verifies a bundle with the key its hint names in the JWKS <paramref name="jwks"/>, as a verifier given the
    /// Gateway's published keys would.</summary>
    public static (int Code, string Output) VerifyWithJwks(string bundle, byte[] jwks)
    {
        var hint = JsonDocument.Parse(File.ReadAllBytes(bundle)).RootElement.GetProperty("verificationMaterial").GetProperty("publicKey")
            .GetProperty("hint").GetString()!;
        var key = Attest.Signing.JsonWebKeySet.Parse(jwks).Keys.Single(k => k.Kid == hint);
        return Verify(bundle, hint, PublicKeyPem(key));
    }

    /// <summary>A JWK's public key as SPKI PEM.</summary>
    public static string PublicKeyPem(Attest.Signing.Jwk key)
    {
        if (key.Kty == "EC")
        {
            using var ec = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64Url.DecodeFromChars(key.X), Y = Base64Url.DecodeFromChars(key.Y) },
            });
            return ec.ExportSubjectPublicKeyInfoPem();
        }
        using var rsa = RSA.Create(new RSAParameters { Modulus = Base64Url.DecodeFromChars(key.N), Exponent = Base64Url.DecodeFromChars(key.E) });
        return rsa.ExportSubjectPublicKeyInfoPem();
    }
}
