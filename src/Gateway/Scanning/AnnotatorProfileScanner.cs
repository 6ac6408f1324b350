using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Scanning;

/// <summary>Keeps the batch's statistics (length, character entropy, examples with findings) for the annotator's profile and
/// reports the submitter when it stands out from its vendor's other annotators (three or more, |z| ≥ 3).</summary>
public sealed class AnnotatorProfileScanner : IExampleScanner, IBatchScanner
{
    public const string Code = "annotator-outlier";

    private long _length;
    private long _entropyMillibits;

    public IReadOnlyList<FindingKind> Kinds => [];

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        var length = 0;
        double entropy = 0;
        foreach (var field in example.Fields)
        {
            length += field.Text.Length;
            entropy += TextModel.CharacterEntropy(field.Text) * field.Text.Length;
        }
        Interlocked.Add(ref _length, length);
        Interlocked.Add(ref _entropyMillibits, (long)(entropy / Math.Max(1, length) * 1000));
    }

    public void WriteState(int pass, BinaryWriter writer)
    {
        if (pass == 1)
        {
            writer.Write(_length);
            writer.Write(_entropyMillibits);
        }
    }

    public void MergeState(int pass, BinaryReader reader)
    {
        if (pass == 1)
        {
            _length += reader.ReadInt64();
            _entropyMillibits += reader.ReadInt64();
        }
    }

    public async Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var batch = context.Batch;
        var row = context.Artifacts.Profile = new BatchProfile
        {
            BatchId = batch.Id, VendorId = batch.VendorId, AnnotatorId = batch.SubmitterId, Examples = context.Count,
            TotalLength = _length, TotalEntropy = _entropyMillibits / 1000.0, Flagged = context.Hits.FlaggedExamples, ScannedAt = context.ScannedAt,
        };
        if (batch.VendorId is null)
        {
            return [];
        }
        var others = await context.Reads.BatchProfiles.Where(p => p.VendorId == batch.VendorId && p.BatchId != batch.Id).ToListAsync(cancellationToken);
        var profile = AnnotatorProfiles.Build(batch.SubmitterId, "", batch.VendorId, [.. others, row], []);
        if (profile.Outliers.Count == 0)
        {
            return [];
        }
        return
        [
            new ScanFinding(Code, Severity.Warn,
                $"The submitter's examples differ from the other {profile.Peers!.Annotators} annotators of the vendor: "
                + string.Join("; ", profile.Outliers.Select(o => $"{o.Metric} {o.Value} against {o.PeerMean} ± {o.PeerStandardDeviation} (z {o.Z})")) + ".",
                [], profile.Outliers.Select(o => $"{o.Metric}: z {o.Z}").ToList()),
        ];
    }
}
