using Microsoft.AspNetCore.Http.HttpResults;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Attestations;

/// <summary>
/// How an attestation endpoint serves its envelope: <c>?format=dsse</c> (the default) as the stored DSSE envelope with
/// every signature, or <c>?format=sigstore</c> as a key-based Sigstore bundle (<see cref="SigstoreBundle"/>) of the
/// Gateway's signature, for cosign, sigstore-js and sigstore-python.
/// </summary>
public static class AttestationFormat
{
    /// <summary>The <c>format</c> parameter's values, for problems and the OpenAPI document.</summary>
    public const string Description = "dsse (default: the DSSE envelope with every signature) or sigstore (a Sigstore bundle v0.3 of the Gateway's signature).";

    /// <summary>A bad format is a problem; null means the format is good.</summary>
    public static ProblemHttpResult? Check(string? format) =>
        format is null or "dsse" or "sigstore" ? null : Problems.Create(400, "bad-format", $"format is {Description}");

    /// <summary>The envelope stored as <paramref name="blob"/> in <paramref name="format"/> (checked with <see cref="Check"/>).</summary>
    public static async Task<FileContentHttpResult> ServeAsync(IBlobReader blobs, string blob, string? format, SigningKeyRegistry keys, CancellationToken ct)
    {
        var envelope = await blobs.ReadAllBytesAsync(blob, ct);
        if (format is not "sigstore")
        {
            return TypedResults.File(envelope, "application/json");
        }
        var parsed = Envelope.Parse(envelope);
        // The Gateway's signature, by a key it recorded (a co-signed receipt's first signature is the vendor's).
        var key = await keys.FindRecordedAsync([.. parsed.Signatures.Select(s => s.KeyId)], ct)
            ?? throw new InvalidOperationException("a stored envelope carries no signature by a key this Gateway recorded");
        return TypedResults.File(SigstoreBundle.ToJson(parsed, key), SigstoreBundle.MediaType);
    }

    /// <summary>An envelope that may not be there, in <paramref name="format"/>: a companion statement
    /// (<see cref="CompanionStatement"/>) of an attestation signed before companions were, or one asked for by digest;
    /// 404 naming <paramref name="missing"/> when it is not.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ServeIfStoredAsync(IBlobReader blobs, string blob, string missing,
        string? format, SigningKeyRegistry keys, CancellationToken ct) =>
        await blobs.ExistsAsync(blob, ct) ? await ServeAsync(blobs, blob, format, keys, ct) : Problems.NotFound(missing);

    /// <summary>The 404 of a companion statement signed before the Gateway signed companions.</summary>
    public static string CompanionMissing(string what) => $"The {what} (its statement was signed before this Gateway signed one beside each)";
}
