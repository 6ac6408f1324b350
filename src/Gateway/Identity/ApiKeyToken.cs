using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace VendorGate.Gateway.Identity;

/// <summary>API keys look like <c>vg_&lt;keyid&gt;_&lt;secret&gt;</c>: a 16-hex-digit key id and a 256-bit random
/// secret in base64url. Only SHA-256 of the secret is stored (the secret has full entropy, so a slow hash adds nothing).</summary>
public static class ApiKeyToken
{
    public const string Prefix = "vg_";

    public static (string KeyId, string Token, byte[] SecretHash) Generate()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (keyId, $"vg_{keyId}_{secret}", Hash(secret));
    }

    public static bool TryParse(string token, out string keyId, out string secret)
    {
        keyId = secret = "";
        var parts = token.Split('_', 3);
        if (parts is not ["vg", { Length: 16 } id, { Length: 43 } s] || id.AsSpan().ContainsAnyExcept("0123456789abcdef"))
        {
            return false;
        }
        (keyId, secret) = (id, s);
        return true;
    }

    /// <summary>An enrolment invitation: <c>vgi_&lt;keyid&gt;_&lt;secret&gt;</c>, a different prefix from keys so it can
    /// never pass for one.</summary>
    public static (string Id, string Token, byte[] SecretHash) GenerateInvitation()
    {
        var (id, token, hash) = Generate();
        return (id, "vgi_" + token[3..], hash);
    }

    public static bool TryParseInvitation(string token, out string id, out string secret)
    {
        (id, secret) = ("", "");
        return token.StartsWith("vgi_", StringComparison.Ordinal) && TryParse("vg_" + token[4..], out id, out secret);
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(string secret, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(secret), storedHash);
}
