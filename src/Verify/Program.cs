using System.CommandLine;
using VendorGate.Verify;

// vendorgate-verify: offline verification of VendorGate attestations.
// The last line is the verdict (VALID / INVALID: <first failure>); --json prints one document instead.
// Exit codes: 0 valid, 1 invalid (a signature or digest does not match), 2 usage or input error.
var keys = new Option<string[]>("--keys")
{
    Description = "JWKS file or URL (e.g. https://gateway/.well-known/vendorgate/keys); repeat to trust several (the Gateway's and a vendor's)",
    Required = true,
};
var json = new Option<bool>("--json") { Description = "print one JSON document {valid, verdict, checks, statement} instead of lines", Recursive = true };
Verdict VerdictOf(ParseResult result) => new(Console.Out, result.GetValue(json));
var threshold = new Option<int>("--threshold") { Description = "signatures by distinct trusted keys required", DefaultValueFactory = _ => 1 };
var envelopeArgument = new Argument<FileInfo>("envelope") { Description = "the DSSE envelope (JSON), or a Sigstore bundle of one" };

var envelope = new Command("envelope", "Verify an envelope's signatures and print its statement.") { envelopeArgument, keys, threshold };
envelope.SetAction((result, ct) => Verifier.VerifyEnvelopeAsync(result.GetValue(envelopeArgument)!, result.GetValue(keys)!, result.GetValue(threshold), VerdictOf(result), ct));

var corpusArgument = new Argument<FileInfo>("corpus") { Description = "the batch's NDJSON, as uploaded or as downloaded" };
var corpusEnvelope = new Argument<FileInfo>("envelope") { Description = "the batch's DSSE envelope (JSON), or its Sigstore bundle" };
var corpus = new Command("corpus", "Recompute an NDJSON file's digest and compare it with the envelope's subject; with --keys, verify the signatures too.")
{
    corpusArgument, corpusEnvelope, new Option<string[]>("--keys") { Description = keys.Description }, threshold,
};
corpus.SetAction((result, ct) => Verifier.VerifyCorpusAsync(result.GetValue(corpusArgument)!, result.GetValue(corpusEnvelope)!,
    result.GetValue<string[]>("--keys"), result.GetValue(threshold), VerdictOf(result), ct));

var digestArgument = new Argument<FileInfo>("corpus") { Description = "an NDJSON file" };
var digest = new Command("digest", "Print an NDJSON file's batch digest and example count, as the Gateway computes them.") { digestArgument };
digest.SetAction((result, ct) => Verifier.PrintDigestAsync(result.GetValue(digestArgument)!, Console.Out, result.GetValue(json), ct));

var snapshotContent = new Argument<FileInfo>("content") { Description = "the snapshot's content (GET /v1/snapshots/{version}/content)" };
var snapshotManifest = new Argument<FileInfo>("manifest") { Description = "the snapshot's manifest (GET /v1/snapshots/{version}/manifest)" };
var snapshotEnvelope = new Argument<FileInfo>("envelope") { Description = "the snapshot's DSSE envelope (GET /v1/snapshots/{version}/attestation), or its Sigstore bundle (?format=sigstore)" };
var snapshot = new Command("snapshot", "Check a snapshot's content file line by line against its manifest, and the manifest against the envelope's subject; with --keys, verify the signatures too.")
{
    snapshotContent, snapshotManifest, snapshotEnvelope, new Option<string[]>("--keys") { Description = keys.Description }, threshold,
};
snapshot.SetAction((result, ct) => Verifier.VerifySnapshotAsync(result.GetValue(snapshotContent)!, result.GetValue(snapshotManifest)!,
    result.GetValue(snapshotEnvelope)!, result.GetValue<string[]>("--keys"), result.GetValue(threshold), VerdictOf(result), ct));

var fileArgument = new Argument<FileInfo>("file") { Description = "a file attested by its SHA-256, e.g. a vendor attestation report (PDF)" };
var fileEnvelope = new Argument<FileInfo>("envelope") { Description = "its DSSE envelope (e.g. GET /v1/vendors/{id}/reports/{sha256}/attestation), or its Sigstore bundle" };
var file = new Command("file", "Compare a file's SHA-256 with the envelope's subjects; with --keys, verify the signatures too.")
{
    fileArgument, fileEnvelope, new Option<string[]>("--keys") { Description = keys.Description }, threshold,
};
file.SetAction((result, ct) => Verifier.VerifyFileAsync(result.GetValue(fileArgument)!, result.GetValue(fileEnvelope)!,
    result.GetValue<string[]>("--keys"), result.GetValue(threshold), VerdictOf(result), ct));

var olderCheckpoint = new Argument<FileInfo>("older") { Description = "a checkpoint kept earlier (GET /v1/audit/checkpoint)" };
var newerCheckpoint = new Argument<FileInfo>("newer") { Description = "a newer checkpoint of the same log" };
var consistencyProof = new Argument<FileInfo?>("proof")
{
    Description = "the consistency proof between their sizes (GET /v1/audit/proofs/consistency?from=OLDER&to=NEWER); not needed for equal sizes",
    Arity = ArgumentArity.ZeroOrOne,
};
var audit = new Command("audit", "Check offline that the audit log behind a newer checkpoint extends the one behind an older checkpoint (not truncated, wiped or rewritten).")
{
    olderCheckpoint, newerCheckpoint, consistencyProof, keys,
};
audit.SetAction((result, ct) => Verifier.VerifyAuditAsync(result.GetValue(olderCheckpoint)!, result.GetValue(newerCheckpoint)!,
    result.GetValue(consistencyProof), result.GetValue(keys)!, VerdictOf(result), ct));

var root = new RootCommand("Offline verification of VendorGate attestations. Each check on its own line, then the verdict as the last line: VALID only when every check passed, otherwise INVALID: <the first failure>. Exit codes: 0 valid, 1 invalid, 2 usage or input error.")
{
    envelope, corpus, digest, snapshot, file, audit, json,
};
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }
    Console.Error.WriteLine("Run with --help for usage.");
    return Verifier.UsageError;
}
return await parsed.InvokeAsync();
