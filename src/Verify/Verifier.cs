using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VendorGate.Attest.Digests;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Attest.Transparency;

namespace VendorGate.Verify;

/// <summary>The checks of the CLI, each reported to a <see cref="Verdict"/>, returning its exit codes.</summary>
internal static class Verifier
{
    public const int Valid = 0;
    public const int Invalid = 1;
    public const int UsageError = 2;

    public static async Task<int> PrintDigestAsync(FileInfo corpusFile, TextWriter output, bool json, CancellationToken ct)
    {
        try
        {
            await using var stream = corpusFile.OpenRead();
            var (digest, count) = await CorpusDigest.ComputeAsync(stream, ct);
            await output.WriteLineAsync(json
                ? new JsonObject { ["digest"] = BatchDigest.Format(digest), ["count"] = count }.ToJsonString()
                : $"{BatchDigest.Format(digest)} {count}");
            return Valid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or DecoderFallbackException)
        {
            return new Verdict(output, json).Error(e.Message);
        }
    }

    public static async Task<int> VerifyEnvelopeAsync(FileInfo envelopeFile, string[] keys, int threshold, Verdict verdict, CancellationToken ct)
    {
        if (await LoadAsync(envelopeFile, keys, verdict, ct) is not var (envelope, jwks) || jwks is null)
        {
            return UsageError;
        }
        if (CheckSignatures(envelope, jwks, threshold, verdict))
        {
            verdict.Statement = JsonNode.Parse(envelope.Payload);
        }
        return verdict.Finish($"{envelope.Signatures.Count} signature(s), threshold {threshold} met by trusted keys");
    }

    public static async Task<int> VerifyCorpusAsync(FileInfo corpusFile, FileInfo envelopeFile, string[]? keys, int threshold, Verdict verdict, CancellationToken ct)
    {
        if (await LoadAsync(envelopeFile, keys, verdict, ct) is not var (envelope, jwks))
        {
            return UsageError;
        }
        if (!corpusFile.Exists)
        {
            return verdict.Error($"{corpusFile.FullName} does not exist");
        }
        Statement statement;
        (byte[] Digest, long Count) computed;
        try
        {
            statement = Statement.Parse(envelope.Payload);
            await using var stream = corpusFile.OpenRead();
            computed = await CorpusDigest.ComputeAsync(stream, ct);
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return verdict.Error(e.Message);
        }
        var expected = statement.Subjects.FirstOrDefault()?.Sha256;
        var actual = Convert.ToHexStringLower(computed.Digest);
        verdict.Note($"corpus:    {computed.Count} example(s), digest sha256:{actual}");
        verdict.Note($"statement: {statement.Subjects.FirstOrDefault()?.Name} sha256:{expected}");
        var digestMatches = string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase);
        verdict.Check("digest", digestMatches, digestMatches ? "MATCH" : "MISMATCH (the file is not the content this envelope attests)");
        var signed = CheckSignaturesIfKeys(envelope, jwks, threshold, verdict);
        return verdict.Finish($"{computed.Count} example(s) match the attested digest; {signed}");
    }

    /// <summary>Any file an envelope attests by its plain SHA-256 (an attestation report PDF): the digest must be a subject's.</summary>
    public static async Task<int> VerifyFileAsync(FileInfo file, FileInfo envelopeFile, string[]? keys, int threshold, Verdict verdict, CancellationToken ct)
    {
        if (await LoadAsync(envelopeFile, keys, verdict, ct) is not var (envelope, jwks))
        {
            return UsageError;
        }
        if (!file.Exists)
        {
            return verdict.Error($"{file.FullName} does not exist");
        }
        Statement statement;
        try
        {
            statement = Statement.Parse(envelope.Payload);
        }
        catch (FormatException e)
        {
            return verdict.Error(e.Message);
        }
        string actual;
        await using (var stream = file.OpenRead())
        {
            actual = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, ct));
        }
        var subject = statement.Subjects.FirstOrDefault(s => string.Equals(s.Sha256, actual, StringComparison.OrdinalIgnoreCase));
        verdict.Note($"file:      {file.Name} sha256:{actual}");
        verdict.Note($"statement: {statement.PredicateType}; subject(s) {string.Join(", ", statement.Subjects.Select(s => $"{s.Name} sha256:{s.Sha256}"))}");
        verdict.Check("digest", subject is not null, subject is not null ? "MATCH" : "MISMATCH (the file is not the one this envelope attests)");
        var signed = CheckSignaturesIfKeys(envelope, jwks, threshold, verdict);
        return verdict.Finish($"{file.Name} is the attested {subject?.Name}; {signed}");
    }

    public static async Task<int> VerifySnapshotAsync(FileInfo contentFile, FileInfo manifestFile, FileInfo envelopeFile, string[]? keys, int threshold,
        Verdict verdict, CancellationToken ct)
    {
        if (await LoadAsync(envelopeFile, keys, verdict, ct) is not var (envelope, jwks))
        {
            return UsageError;
        }
        try
        {
            var statement = Statement.Parse(envelope.Payload);
            var domains = statement.Predicate["domains"]?.AsArray().Select(d => d!.GetValue<string>()).ToList() ?? [];
            // Statements of snapshots cut before manifest trees carry no format: theirs is the flat VGM1 blob.
            var format = statement.Predicate["manifestFormat"]?.GetValue<string>() ?? SnapshotManifest.Format;
            var (manifestDigest, digests) = await SnapshotFiles.ReadManifestAsync(manifestFile, domains, format, ct);
            var expected = statement.Subjects.FirstOrDefault()?.Sha256;
            var manifestMatches = string.Equals(expected, Convert.ToHexStringLower(manifestDigest), StringComparison.OrdinalIgnoreCase);
            verdict.Note($"manifest:  {digests.Count} example(s), {format}, digest sha256:{Convert.ToHexStringLower(manifestDigest)}");
            verdict.Note($"statement: {statement.Subjects.FirstOrDefault()?.Name} sha256:{expected}");
            verdict.Check("manifest", manifestMatches, manifestMatches ? "MATCH" : "MISMATCH (the manifest is not the one this envelope attests)");
            var contentProblem = await SnapshotFiles.CheckContentAsync(contentFile, digests, ct);
            verdict.Check("content", contentProblem is null, contentProblem is null ? $"MATCH ({digests.Count} lines)" : $"MISMATCH ({contentProblem})");
            var signed = CheckSignaturesIfKeys(envelope, jwks, threshold, verdict);
            return verdict.Finish($"{statement.Subjects.FirstOrDefault()?.Name}: {digests.Count} example(s) match the attested manifest; {signed}");
        }
        catch (Exception e) when (e is FormatException or IOException or JsonException or DecoderFallbackException)
        {
            return verdict.Error(e.Message);
        }
    }

    /// <summary>The signatures checked when keys were given; the words the verdict ends with.</summary>
    private static string CheckSignaturesIfKeys(Envelope envelope, JsonWebKeySet? jwks, int threshold, Verdict verdict) =>
        jwks is null ? "signatures not checked (no --keys)" : CheckSignatures(envelope, jwks, threshold, verdict) ? "signed by trusted keys" : "";

    /// <summary>One check per verified key and per problem, then whether the threshold was met.</summary>
    private static bool CheckSignatures(Envelope envelope, JsonWebKeySet jwks, int threshold, Verdict verdict)
    {
        var result = new EnvelopeVerifier(jwks.Keys).TryVerify(envelope, threshold);
        foreach (var kid in result.VerifiedKeyIds)
        {
            verdict.Check("signature", true, $"valid, key {kid}");
        }
        foreach (var problem in result.Problems)
        {
            verdict.Note($"signature: {problem}");
        }
        verdict.Check("threshold", result.Valid, result.Valid
            ? $"{result.VerifiedKeyIds.Count} trusted signature(s), threshold {threshold}"
            : $"{result.VerifiedKeyIds.Count} trusted signature(s), threshold {threshold}{(result.Problems.Count > 0 ? $" ({result.Problems[0]})" : "")}");
        return result.Valid;
    }

    /// <summary>Checks that the log behind <paramref name="newer"/> extends the log behind <paramref name="older"/>: both
    /// checkpoints signed by a trusted key, same origin, and the RFC 9162 consistency proof between their sizes
    /// (<c>GET /v1/audit/proofs/consistency?from=&amp;to=</c>) leads from the older root to the newer.</summary>
    public static async Task<int> VerifyAuditAsync(FileInfo older, FileInfo newer, FileInfo? proofFile, string[] keys, Verdict verdict, CancellationToken ct)
    {
        Checkpoint old, current;
        IReadOnlyList<Checkpoint.NoteSignature> oldSignatures, currentSignatures;
        List<byte[]> proof = [];
        long? proofFrom = null, proofTo = null;
        JsonWebKeySet trusted;
        try
        {
            (old, oldSignatures) = Checkpoint.Parse(await File.ReadAllTextAsync(older.FullName, ct));
            (current, currentSignatures) = Checkpoint.Parse(await File.ReadAllTextAsync(newer.FullName, ct));
            if (proofFile is not null)
            {
                using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(proofFile.FullName, ct));
                proofFrom = document.RootElement.GetProperty("from").GetInt64();
                proofTo = document.RootElement.GetProperty("to").GetInt64();
                proof = document.RootElement.GetProperty("proof").EnumerateArray().Select(p => Convert.FromBase64String(p.GetString()!)).ToList();
            }
            trusted = await LoadKeysAsync(keys, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or HttpRequestException
            or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return verdict.Error(e.Message);
        }
        foreach (var (name, checkpoint, signatures) in new[] { ("older", old, oldSignatures), ("newer", current, currentSignatures) })
        {
            var key = checkpoint.VerifiedBy(signatures, trusted);
            verdict.Check(name, key is not null, key is null
                ? $"{checkpoint.Origin} size {checkpoint.Size}: no signature verifies with a trusted key"
                : $"{checkpoint.Origin} size {checkpoint.Size} root {Convert.ToBase64String(checkpoint.RootHash)}, signed by {key.Kid}");
        }
        if (verdict.Failed)
        {
            return verdict.Finish("");
        }
        var problem = old.Origin != current.Origin ? $"the checkpoints are of different logs ({old.Origin}, {current.Origin})"
            : current.Size < old.Size ? $"the newer checkpoint has {current.Size} entries, fewer than the older's {old.Size}: the log was truncated"
            : old.Size == 0 ? null
            : old.Size == current.Size ? (old.RootHash.AsSpan().SequenceEqual(current.RootHash) ? null : "the same size with different roots: the log was rewritten")
            : proofFile is null ? "give the consistency proof between the two sizes"
            : proofFrom != old.Size || proofTo != current.Size ? $"the proof is from {proofFrom} to {proofTo}, not from {old.Size} to {current.Size}"
            : !MerkleTree.VerifyConsistency(old.Size, current.Size, old.RootHash, current.RootHash, proof)
                ? "the consistency proof does not lead from the older root to the newer: the log's past was rewritten"
            : null;
        verdict.Check("consistency", problem is null, problem ?? $"{old.Size} → {current.Size} proven");
        return verdict.Finish($"the log of {current.Size} entries extends the checkpoint of {old.Size}");
    }

    private static async Task<JsonWebKeySet> LoadKeysAsync(string[] keys, CancellationToken ct)
    {
        var trusted = new List<Jwk>();
        using var http = new HttpClient();
        foreach (var source in keys)
        {
            var set = Uri.TryCreate(source, UriKind.Absolute, out var url) && url.Scheme is "https" or "http"
                ? JsonWebKeySet.Parse(await http.GetByteArrayAsync(url, ct))
                : JsonWebKeySet.Parse(await File.ReadAllBytesAsync(source, ct));
            trusted.AddRange(set.Keys);
        }
        return new JsonWebKeySet(trusted);
    }

    private static async Task<(Envelope Envelope, JsonWebKeySet? Keys)?> LoadAsync(FileInfo envelopeFile, string[]? keys, Verdict verdict, CancellationToken ct)
    {
        try
        {
            var bytes = await File.ReadAllBytesAsync(envelopeFile.FullName, ct);
            var envelope = SigstoreBundle.IsBundle(bytes) ? SigstoreBundle.Parse(bytes) : Envelope.Parse(bytes); // a DSSE envelope or a Sigstore bundle of one
            return (envelope, keys is { Length: > 0 } ? await LoadKeysAsync(keys, ct) : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or HttpRequestException)
        {
            verdict.Error(e.Message);
            return null;
        }
    }
}
