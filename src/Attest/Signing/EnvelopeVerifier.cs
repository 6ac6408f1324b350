using VendorGate.Attest.Dsse;

namespace VendorGate.Attest.Signing;

/// <summary>The outcome of verifying an envelope: which trusted keys signed it, and what did not verify.</summary>
public sealed record VerificationResult(bool Valid, int Threshold, IReadOnlyList<string> VerifiedKeyIds, IReadOnlyList<string> Problems);

/// <summary>The envelope does not carry enough valid signatures by trusted keys.</summary>
public sealed class EnvelopeVerificationException(VerificationResult result)
    : Exception($"{result.VerifiedKeyIds.Count} of the required {result.Threshold} signature(s) verified: {string.Join("; ", result.Problems)}")
{
    /// <summary>The details.</summary>
    public VerificationResult Result { get; } = result;
}

/// <summary>Verifies DSSE envelopes locally against a set of trusted public keys, with a threshold:
/// at least <c>t</c> signatures, each by a different trusted key, must verify over PAE(payloadType, payload).
/// A signature by an unknown key, or a second one by the same key, does not count.</summary>
public sealed class EnvelopeVerifier(IEnumerable<Jwk> trustedKeys)
{
    private readonly Dictionary<string, Jwk> _keys = trustedKeys.GroupBy(k => k.Kid).ToDictionary(g => g.Key, g => g.First());

    /// <summary>Verifies and reports; never throws for a bad signature.</summary>
    public VerificationResult TryVerify(Envelope envelope, int threshold = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        var pae = envelope.PreAuthenticationEncoding();
        var verified = new List<string>();
        var problems = new List<string>();
        foreach (var signature in envelope.Signatures)
        {
            if (!_keys.TryGetValue(signature.KeyId, out var key))
            {
                problems.Add($"key '{signature.KeyId}' is not trusted");
            }
            else if (verified.Contains(signature.KeyId))
            {
                problems.Add($"key '{signature.KeyId}' signed twice; counted once");
            }
            else if (key.Verify(pae, signature.Signature))
            {
                verified.Add(signature.KeyId);
            }
            else
            {
                problems.Add($"the signature by '{signature.KeyId}' does not verify");
            }
        }
        if (envelope.Signatures.Count == 0)
        {
            problems.Add("the envelope has no signature");
        }
        return new VerificationResult(verified.Count >= threshold, threshold, verified, problems);
    }

    /// <summary>Verifies, throwing <see cref="EnvelopeVerificationException"/> below the threshold.</summary>
    public VerificationResult Verify(Envelope envelope, int threshold = 1)
    {
        var result = TryVerify(envelope, threshold);
        return result.Valid ? result : throw new EnvelopeVerificationException(result);
    }
}

/// <summary>Signing an envelope with an <see cref="ISigner"/>.</summary>
public static class EnvelopeSigning
{
    /// <summary>Signs PAE(payloadType, payload) with the signer's current key and appends the signature.</summary>
    public static async Task<Envelope> SignAsync(this ISigner signer, Envelope envelope, Jwk? key = null, CancellationToken cancellationToken = default)
    {
        key ??= await signer.GetCurrentKeyAsync(cancellationToken);
        var signature = await signer.SignAsync(key, envelope.PreAuthenticationEncoding(), cancellationToken);
        return envelope.WithSignature(new EnvelopeSignature(key.Kid, signature));
    }
}
