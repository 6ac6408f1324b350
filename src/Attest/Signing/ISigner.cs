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
