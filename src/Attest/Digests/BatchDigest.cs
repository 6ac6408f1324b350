using System.Security.Cryptography;

namespace VendorGate.Attest.Digests;

/// <summary>
/// Content identity of examples and batches.
/// <list type="bullet">
/// <item>Example digest: SHA-256 over the example's RFC 8785 canonical JSON (UTF-8, no trailing newline).</item>
/// <item>Batch digest: SHA-256 over the concatenation of the 32-byte example digests, in line order
/// (<c>SHA-256(d₁ ‖ d₂ ‖ … ‖ dₙ)</c>). An empty batch cannot exist.</item>
/// </list>
/// Digests are written as <c>sha256:</c> followed by lower-case hex.
/// </summary>
public sealed class BatchDigest : IDisposable
{
    /// <summary>Bytes in one SHA-256 digest.</summary>
    public const int Size = 32;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Number of example digests appended.</summary>
    public long Count { get; private set; }

    /// <summary>Appends the next example digest.</summary>
    public void Append(ReadOnlySpan<byte> exampleDigest)
    {
        if (exampleDigest.Length != Size)
        {
            throw new ArgumentException("an example digest is 32 bytes", nameof(exampleDigest));
        }
        _hash.AppendData(exampleDigest);
        Count++;
    }

    /// <summary>The batch digest over everything appended.</summary>
    public byte[] Finish() => _hash.GetHashAndReset();

    /// <summary>Formats a digest as <c>sha256:&lt;hex&gt;</c>.</summary>
    public static string Format(ReadOnlySpan<byte> digest) => "sha256:" + Convert.ToHexStringLower(digest);

    /// <summary>Parses <c>sha256:&lt;hex&gt;</c> or bare hex.</summary>
    public static bool TryParse(string? text, out byte[] digest)
    {
        digest = [];
        var hex = text is not null && text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        if (hex is not { Length: Size * 2 } || hex.AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF"))
        {
            return false;
        }
        digest = Convert.FromHexString(hex);
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();
}
