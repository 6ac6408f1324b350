namespace VendorGate.Attest.Signing;

/// <summary>Signs with a key held somewhere else (a local file, a key vault). Verification never needs a signer:
/// it is done locally with the public <see cref="Jwk"/>.</summary>
public interface ISigner
{
    /// <summary>The key that signs now (for a vault: the newest enabled version). Its <c>kid</c> names the version.</summary>
    Task<Jwk> GetCurrentKeyAsync(CancellationToken cancellationToken = default);

    /// <summary>Signs <paramref name="data"/> (the whole message; hashing is the signer's business) with exactly
    /// the key version <paramref name="key"/> names.</summary>
    Task<byte[]> SignAsync(Jwk key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);
}

/// <summary>The signer could not sign: its service refused, throttled or could not be reached. Every <see cref="ISigner"/>
/// reports its own service's failures as this, so callers handle one exception whatever holds the key.</summary>
public sealed class SignerUnavailableException(string message, bool transient, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>Worth trying again later (throttled, timed out, unreachable, failing); otherwise the service refused for
    /// good (no access, no such key) until someone changes the configuration.</summary>
    public bool Transient => transient;

    /// <summary>How long the service asked callers to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
