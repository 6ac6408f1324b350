using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Dsse;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Exports;

/// <summary>An export's statement, signed by <see cref="AttestJob"/> once <see cref="ExportJob"/> has stored the files:
/// subjects = every file by its path and SHA-256, so a training job can check the file it reads; predicate
/// (<see cref="PredicateType"/>) = the snapshot it was written from (version, manifest digest, the snapshot statement's
/// digest), the format, the rows per file and the columns. The export completes in the same save.</summary>
public sealed class ExportAttestation(VendorGateDb db, TimeProvider time) : IAttestationKind
{
    public const string PredicateType = "https://vendorgate.dev/attestations/export/v1";

    /// <summary>The name its jobs carry.</summary>
    public const string Kind = "export";

    public static string BlobName(Guid id) => $"attestations/exports/{id}.dsse.json";

    public string Name => Kind;

    public async Task<AttestationWork?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var export = await db.Exports.FirstOrDefaultAsync(e => e.Id == Guid.Parse(id), cancellationToken);
        if (export is null)
        {
            return null;
        }
        var snapshot = await db.Snapshots.AsNoTracking().FirstAsync(s => s.Version == export.SnapshotVersion, cancellationToken);
        return new AttestationWork(export.Attestation, BlobName(export.Id), "export.attest", $"export:{export.Id}", key =>
        {
            var files = JsonSerializer.Deserialize<List<ExportFile>>(export.Files, JsonSerializerOptions.Web)!;
            var predicate = new JsonObject
            {
                ["exportId"] = export.Id.ToString(),
                ["format"] = export.Format,
                ["snapshot"] = new JsonObject
                {
                    ["version"] = snapshot.Version,
                    ["manifestDigest"] = snapshot.ManifestDigest,
                    ["count"] = snapshot.Count,
                    ["attestationDigest"] = snapshot.Attestation.Digest,
                },
                ["files"] = new JsonArray(files.Select(f => (JsonNode)new JsonObject
                {
                    ["name"] = f.Name, ["sha256"] = f.Sha256, ["size"] = f.Size, ["rows"] = f.Rows,
                }).ToArray()),
                ["columns"] = new JsonArray(ExportSchema.Columns.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["type"] = c.Type }).ToArray()),
                ["requestedBy"] = export.RequestedBy.ToString(),
                ["requestedAt"] = Clock.Timestamp(export.RequestedAt),
                ["gateway"] = new JsonObject { ["keyId"] = key.Kid },
            };
            var statement = new Statement(files.Select(f => new Subject(f.Name, f.Sha256)).ToList(), PredicateType, predicate);
            return Task.FromResult(statement.ToCanonicalJson());
        })
        {
            Then = () => (export.Status, export.CompletedAt) = (ExportStatus.Completed, time.Now()),
        };
    }
}
