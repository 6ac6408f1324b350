using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VendorGate.Attest.Digests;
using VendorGate.Attest.Dsse;
using VendorGate.Attest.Signing;
using VendorGate.Attest.Transparency;

namespace VendorGate.Verify;

/// <summary>The two checks of the CLI, returning its exit codes.</summary>
internal static class Verifier
{
    public const int Valid = 0;
    public const int Invalid = 1;
    public const int UsageError = 2;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> PrintDigestAsync(FileInfo corpusFile, TextWriter output, CancellationToken ct)
    {
        try
        {
            await using var stream = corpusFile.OpenRead();
            var (digest, count) = await CorpusDigest.ComputeAsync(stream, ct);
            await output.WriteLineAsync($"{BatchDigest.Format(digest)} {count}");
            return Valid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or DecoderFallbackException)
        {
            await output.WriteLineAsync($"error: {e.Message}");
            return UsageError;
        }
    }

    public static async Task<int> VerifyEnvelopeAsync(FileInfo envelopeFile, string[] keys, int threshold, TextWriter output, CancellationToken ct)
    {
        if (await LoadAsync(envelopeFile, keys, output, ct) is not var (envelope, jwks) || jwks is null)
        {
            return UsageError;
        }
        return Report(envelope, jwks, threshold, output, printStatement: true);
    }

    public static async Task<int> VerifyCorpusAsync(FileInfo corpusFile, FileInfo envelopeFile, string[]? keys, int threshold, TextWriter output, CancellationToken ct)
    {
        if (await LoadAsync(envelopeFile, keys, output, ct) is not var (envelope, jwks))
        {
            return UsageError;
        }
        if (!corpusFile.Exists)
        {
            await output.WriteLineAsync($"error: {corpusFile.FullName} does not exist");
            return UsageError;
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
            await output.WriteLineAsync($"error: {e.Message}");
            return UsageError;
        }
        var expected = statement.Subjects.FirstOrDefault()?.Sha256;
        var actual = Convert.ToHexStringLower(computed.Digest);
        await output.WriteLineAsync($"corpus:    {computed.Count} example(s), digest sha256:{actual}");
        await output.WriteLineAsync($"statement: {statement.Subjects.FirstOrDefault()?.Name} sha256:{expected}");
        var digestMatches = string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase);
        await output.WriteLineAsync(digestMatches ? "digest: MATCH" : "digest: MISMATCH (the file is not the content this envelope attests)");
        var signatures = jwks is null ? Valid : Report(envelope, jwks, threshold, output, printStatement: false);
        return digestMatches && signatures == Valid ? Valid : Invalid;
    }

    /// <summary>Any file an envelope attests by its plain SHA-256 (an attestation report PDF): the digest must be a subject's.</summary>
    public static async Task<int> VerifyFileAsync(FileInfo file, FileInfo envelopeFile, string[]? keys, int threshold, TextWriter output, CancellationToken ct)
    {
        if (await LoadAsync(envelopeFile, keys, output, ct) is not var (envelope, jwks))
        {
            return UsageError;
        }
        if (!file.Exists)
        {
            await output.WriteLineAsync($"error: {file.FullName} does not exist");
            return UsageError;
        }
        Statement statement;
        try
        {
            statement = Statement.Parse(envelope.Payload);
        }
        catch (FormatException e)
        {
            await output.WriteLineAsync($"error: {e.Message}");
            return UsageError;
        }
        string actual;
        await using (var stream = file.OpenRead())
        {
            actual = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, ct));
        }
        var subject = statement.Subjects.FirstOrDefault(s => string.Equals(s.Sha256, actual, StringComparison.OrdinalIgnoreCase));
        await output.WriteLineAsync($"file:      {file.Name} sha256:{actual}");
        await output.WriteLineAsync($"statement: {statement.PredicateType}; subject(s) {string.Join(", ", statement.Subjects.Select(s => $"{s.Name} sha256:{s.Sha256}"))}");
        await output.WriteLineAsync(subject is not null ? "digest: MATCH" : "digest: MISMATCH (the file is not the one this envelope attests)");
        var signatures = jwks is null ? Valid : Report(envelope, jwks, threshold, output, printStatement: false);
        return subject is not null && signatures == Valid ? Valid : Invalid;
    }

    public static async Task<int> VerifySnapshotAsync(FileInfo contentFile, FileInfo manifestFile, FileInfo envelopeFile, string[]? keys, int threshold,
        TextWriter output, CancellationToken ct)
    {
        if (await LoadAsync(envelopeFile, keys, output, ct) is not var (envelope, jwks))
        {
            return UsageError;
        }
        try
        {
            var statement = Statement.Parse(envelope.Payload);
            var domains = statement.Predicate["domains"]?.AsArray().Select(d => d!.GetValue<string>()).ToList() ?? [];
            var (manifestDigest, digests) = await SnapshotFiles.ReadManifestAsync(manifestFile, domains, ct);
            var expected = statement.Subjects.FirstOrDefault()?.Sha256;
            var manifestMatches = string.Equals(expected, Convert.ToHexStringLower(manifestDigest), StringComparison.OrdinalIgnoreCase);
            await output.WriteLineAsync($"manifest:  {digests.Count} example(s), digest sha256:{Convert.ToHexStringLower(manifestDigest)}");
            await output.WriteLineAsync($"statement: {statement.Subjects.FirstOrDefault()?.Name} sha256:{expected}");
            await output.WriteLineAsync(manifestMatches ? "manifest: MATCH" : "manifest: MISMATCH (the manifest is not the one this envelope attests)");
            var contentProblem = await SnapshotFiles.CheckContentAsync(contentFile, digests, ct);
            await output.WriteLineAsync(contentProblem is null ? $"content: MATCH ({digests.Count} lines)" : $"content: MISMATCH ({contentProblem})");
            var signatures = jwks is null ? Valid : Report(envelope, jwks, threshold, output, printStatement: false);
            return manifestMatches && contentProblem is null && signatures == Valid ? Valid : Invalid;
        }
        catch (Exception e) when (e is FormatException or IOException or JsonException or DecoderFallbackException)
        {
            await output.WriteLineAsync($"error: {e.Message}");
            return UsageError;
        }
    }

    private static int Report(Envelope envelope, JsonWebKeySet jwks, int threshold, TextWriter output, bool printStatement)
    {
        var result = new EnvelopeVerifier(jwks.Keys).TryVerify(envelope, threshold);
        foreach (var kid in result.VerifiedKeyIds)
        {
            output.WriteLine($"signature: valid, key {kid}");
        }
        foreach (var problem in result.Problems)
        {
            output.WriteLine($"signature: {problem}");
        }
        output.WriteLine(result.Valid
            ? $"VALID: {result.VerifiedKeyIds.Count} trusted signature(s), threshold {threshold}"
            : $"INVALID: {result.VerifiedKeyIds.Count} trusted signature(s), threshold {threshold}");
        if (printStatement && result.Valid)
        {
            output.WriteLine(JsonNode.Parse(envelope.Payload)!.ToJsonString(Indented));
        }
        return result.Valid ? Valid : Invalid;
    }

    /// <summary>Checks that the log behind <paramref name="newer"/> extends the log behind <paramref name="older"/>: both
    /// checkpoints signed by a trusted key, same origin, and the RFC 9162 consistency proof between their sizes
    /// (<c>GET /v1/audit/proofs/consistency?from=&amp;to=</c>) leads from the older root to the newer.</summary>
    public static async Task<int> VerifyAuditAsync(FileInfo older, FileInfo newer, FileInfo? proofFile, string[] keys, TextWriter output, CancellationToken ct)
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
            await output.WriteLineAsync($"error: {e.Message}");
            return UsageError;
        }
        foreach (var (name, checkpoint, signatures) in new[] { ("older", old, oldSignatures), ("newer", current, currentSignatures) })
        {
            var key = checkpoint.VerifiedBy(signatures, trusted);
            await output.WriteLineAsync(key is null
                ? $"{name}: {checkpoint.Origin} size {checkpoint.Size}: no signature verifies with a trusted key"
                : $"{name}: {checkpoint.Origin} size {checkpoint.Size} root {Convert.ToBase64String(checkpoint.RootHash)}, signed by {key.Kid}");
            if (key is null)
            {
                await output.WriteLineAsync("INVALID: a checkpoint is not signed by a trusted key");
                return Invalid;
            }
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
        await output.WriteLineAsync(problem is null
            ? $"VALID: the log of {current.Size} entries extends the checkpoint of {old.Size}"
            : $"INVALID: {problem}");
        return problem is null ? Valid : Invalid;
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

    private static async Task<(Envelope Envelope, JsonWebKeySet? Keys)?> LoadAsync(FileInfo envelopeFile, string[]? keys, TextWriter output, CancellationToken ct)
    {
        try
        {
            var envelope = Envelope.Parse(await File.ReadAllBytesAsync(envelopeFile.FullName, ct));
            return (envelope, keys is { Length: > 0 } ? await LoadKeysAsync(keys, ct) : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or HttpRequestException)
        {
            await output.WriteLineAsync($"error: {e.Message}");
            return null;
        }
    }
}
