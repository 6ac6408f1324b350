using Microsoft.EntityFrameworkCore;
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

    public string Name => Kind;

    public async Task<AttestationWork?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var gate = await db.ModelGates.FirstOrDefaultAsync(g => g.Id == Guid.Parse(id), cancellationToken);
        if (gate is null)
        {
            return null;
        }
        return new AttestationWork(gate.Attestation, gate.Blob, "model.gate.attest", $"model:{gate.ModelName}",
            _ => blobs.ReadAllBytesAsync(StatementBlob(gate.ModelName, gate.StatementDigest), cancellationToken));
    }
}
