namespace VendorGate.Gateway.Attestations;

public static class AttestationStates
{
    public const string Pending = "pending";
    public const string Signed = "signed";
}

/// <summary>
/// A statement the Gateway signs in the background: a batch's receipt and its approval, a snapshot. Not due
/// (<see cref="State"/> null) until its subject exists, then <c>pending</c> (with the last attempt's
/// <see cref="Error"/>) until <see cref="AttestJob"/> stores the DSSE envelope and marks it <c>signed</c>. Stored as
/// columns of its owner's row; it changes only through these methods.
/// </summary>
public sealed class Attestation
{
    public string? State { get; private set; }
    /// <summary>The envelope's SHA-256 (<c>sha256:…</c>), once signed.</summary>
    public string? Digest { get; private set; }
    public string? KeyId { get; private set; }
    /// <summary>Why the last signing attempt failed, while pending.</summary>
    public string? Error { get; private set; }

    public bool IsPending => State == AttestationStates.Pending;
    public bool IsSigned => State == AttestationStates.Signed;

    public static Attestation Pending()
    {
        var attestation = new Attestation();
        attestation.Due();
        return attestation;
    }

    /// <summary>The subject exists: the statement is to be signed.</summary>
    public void Due()
    {
        if (State is not null)
        {
            throw new InvalidOperationException($"The attestation is already {State}.");
        }
        State = AttestationStates.Pending;
    }

    public void Failed(string reason) => Error = reason;

    public void Signed(Attestor.Signed signed) => (State, Digest, KeyId, Error) = (AttestationStates.Signed, signed.Digest, signed.KeyId, null);

    /// <summary>As the API shows it; null while not due.</summary>
    public AttestationView? View() => State is null ? null : new AttestationView(State, Digest, KeyId, Error);

    /// <summary>The 409 detail for a request that needs the envelope before it is signed.</summary>
    public string NotSignedYet(string what, string notDue) =>
        State is null ? notDue : $"The {what} is not signed yet{(Error is { } e ? $": {e}; it will be retried" : "")}.";
}

/// <summary>An attestation as the API shows it: <c>pending</c> (with the last error, if any) or <c>signed</c> (with the
/// envelope digest and key).</summary>
public sealed record AttestationView(string State, string? Digest, string? KeyId, string? Error);
