using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Eval;

/// <summary>A model gate's statement, signed by <see cref="AttestJob"/>: <see cref="CanaryGate"/> stores the statement it
/// judged (write-once, named by its digest) and signs it at once; when the signer is away the verdict stands and the
/// job signs it later.</summary>
public sealed class ModelGateAttestation(VendorGateDb db, IBlobStore blobs) : IAttestationKind
{
    /// <summary>The name its jobs carry.</summary>
    public const string Kind = "model-gate";

    public static string BlobName(string model, string statementDigest) => $"gates/{model}/{statementDigest["sha256:".Length..]}.dsse.json";

    public static string StatementBlob(string model, string statementDigest) => $"gates/{model}/{statementDigest["sha256:".Length..]}.statement.json";

    /// <summary>Its companion: the verdict as an in-toto Test Result (<see cref="TestResult"/>).</summary>
    public static string TestResultBlob(string envelopeBlob) => envelopeBlob.Replace(".dsse.json", ".test-result.dsse.json");

    public string Name => Kind;

    public async Task<AttestationWork?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var gate = await db.ModelGates.FirstOrDefaultAsync(g => g.Id == Guid.Parse(id), cancellationToken);
        if (gate is null)
        {
            return null;
        }
        var statement = StatementBlob(gate.ModelName, gate.StatementDigest);
        return new AttestationWork(gate.Attestation, gate.Blob, "model.gate.attest", $"model:{gate.ModelName}",
            _ => blobs.ReadAllBytesAsync(statement, cancellationToken))
        {
            Companions = [new CompanionStatement(TestResultBlob(gate.Blob),
                async _ => TestResult(await blobs.ReadAllBytesAsync(statement, cancellationToken), gate.StatementDigest).ToCanonicalJson())],
        };
    }

    /// <summary>The gate's verdict as an in-toto Test Result v0.1, from the statement it judged: each canary probe a test,
    /// passed or failed; a required probe without a result is failed (fail closed); the configuration is the judged
    /// statement itself, by digest. Same subject: the model and its snapshot's manifest.</summary>
    public static Statement TestResult(byte[] judgedStatement, string statementDigest)
    {
        var judged = JsonNode.Parse(judgedStatement)!;
        var predicate = judged["predicate"]!;
        var results = predicate["results"]!.AsArray().Select(r => (Probe: r!["probeId"]!.GetValue<string>(), Passed: r["passed"]!.GetValue<bool>())).ToList();
        var missing = predicate["missing"]!.AsArray().Select(m => m!.GetValue<string>());
        var model = predicate["model"]!.GetValue<string>();
        var configuration = StandardPredicates.Resource("canary-gate", $"vendorgate:model:{model}/gate", StandardPredicates.Hex(statementDigest),
            new JsonObject { ["predicateType"] = judged["predicateType"]!.GetValue<string>() });
        var result = StandardPredicates.TestResults(predicate["passed"]!.GetValue<bool>(), [configuration], $"/v1/models/{model}/gate",
            results.Where(r => r.Passed).Select(r => r.Probe), results.Where(r => !r.Passed).Select(r => r.Probe).Concat(missing).Distinct().Order(StringComparer.Ordinal));
        var subject = judged["subject"]![0]!;
        return new Statement([new Subject(subject["name"]!.GetValue<string>(), subject["digest"]!["sha256"]!.GetValue<string>())],
            StandardPredicates.TestResult, result);
    }
}
