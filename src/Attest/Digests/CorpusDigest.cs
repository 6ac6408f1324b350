using System.Security.Cryptography;
using System.Text;
using VendorGate.Attest.Canonical;

namespace VendorGate.Attest.Digests;

/// <summary>The digest of an NDJSON file as the Gateway computes it: each line canonicalized (RFC 8785) and hashed,
/// the batch digest over those hashes (<see cref="BatchDigest"/>). Whitespace, key order and CRLF line ends do not matter.</summary>
public static class CorpusDigest
{
    /// <summary>The batch digest and example count of an NDJSON stream.</summary>
    /// <exception cref="FormatException">A line is empty or not I-JSON (its number is in the message).</exception>
    public static async Task<(byte[] Digest, long Count)> ComputeAsync(Stream ndjson, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(ndjson, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false);
        using var batch = new BatchDigest();
        var canonical = new CanonicalJsonBuffer();
        var digest = new byte[BatchDigest.Size];
        long number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                throw new FormatException($"line {number}: empty line");
            }
            canonical.Clear();
            try
            {
                JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(line), canonical);
            }
            catch (JsonCanonicalizationException e)
            {
                throw new FormatException($"line {number}: {e.Message}");
            }
            SHA256.HashData(canonical.WrittenSpan, digest);
            batch.Append(digest);
        }
        return (batch.Finish(), batch.Count);
    }
}
