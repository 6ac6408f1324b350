using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>One batch's statistics, the unit annotator profiles are summed from; replaced when the batch is scanned again.</summary>
[Table("batch_profiles")]
[PrimaryKey(nameof(BatchId))]
[Index(nameof(VendorId), nameof(AnnotatorId))]
public sealed class BatchProfile
{
    public Guid BatchId { get; init; }
    public Guid? VendorId { get; init; }
    public Guid AnnotatorId { get; init; }
    public long Examples { get; init; }
    public double TotalLength { get; init; }
    public double TotalEntropy { get; init; }

    /// <summary>Examples with any example-level finding (block or warn).</summary>
    public long Flagged { get; init; }

    public DateTimeOffset ScannedAt { get; init; }
}

public sealed record MetricSpread(double Mean, double StandardDeviation);

public sealed record PeerSummary(int Annotators, MetricSpread MeanLength, MetricSpread MeanEntropy, MetricSpread FlaggedRate);

public sealed record Outlier(string Metric, double Value, double PeerMean, double PeerStandardDeviation, double Z);

/// <summary>An annotator's statistics against the other annotators of its vendor.</summary>
public sealed record AnnotatorProfileView(Guid AnnotatorId, string Handle, Guid? VendorId, int Batches, long Examples, double MeanLength,
    double MeanEntropy, double FlaggedRate, PeerSummary? Peers, IReadOnlyList<Outlier> Outliers, IReadOnlyList<RankedTrigger> TriggerCandidates);

/// <summary>Profiles from per-batch statistics: each annotator's means, and z-scores against peers (needs three or more).</summary>
public static class AnnotatorProfiles
{
    public const int MinPeers = 3;
    public const double OutlierZ = 3;

    public static AnnotatorProfileView Build(Guid annotatorId, string handle, Guid? vendorId, IReadOnlyList<BatchProfile> vendorRows,
        IReadOnlyList<RankedTrigger> triggers)
    {
        var mine = vendorRows.Where(r => r.AnnotatorId == annotatorId).ToList();
        var (length, entropy, flagged) = Means(mine);
        var peers = vendorRows.Where(r => r.AnnotatorId != annotatorId).GroupBy(r => r.AnnotatorId).Select(g => Means(g.ToList())).ToList();
        PeerSummary? summary = null;
        var outliers = new List<Outlier>();
        if (peers.Count >= MinPeers)
        {
            summary = new PeerSummary(peers.Count, Spread(peers.Select(p => p.Length)), Spread(peers.Select(p => p.Entropy)), Spread(peers.Select(p => p.Flagged)));
            Check("meanLength", length, summary.MeanLength, floor: 0.05 * summary.MeanLength.Mean);
            Check("meanEntropy", entropy, summary.MeanEntropy, floor: 0.05);
            Check("flaggedRate", flagged, summary.FlaggedRate, floor: 0.005);
        }
        return new AnnotatorProfileView(annotatorId, handle, vendorId, mine.Count, mine.Sum(r => r.Examples), Math.Round(length, 1),
            Math.Round(entropy, 3), Math.Round(flagged, 5), summary, outliers, triggers);

        void Check(string metric, double value, MetricSpread peers, double floor)
        {
            var z = (value - peers.Mean) / Math.Max(peers.StandardDeviation, floor);
            if (Math.Abs(z) >= OutlierZ && mine.Count > 0)
            {
                outliers.Add(new Outlier(metric, Math.Round(value, 4), Math.Round(peers.Mean, 4), Math.Round(peers.StandardDeviation, 4), Math.Round(z, 2)));
            }
        }
    }

    private static (double Length, double Entropy, double Flagged) Means(IReadOnlyList<BatchProfile> rows)
    {
        var examples = rows.Sum(r => r.Examples);
        return examples == 0 ? (0, 0, 0) : (rows.Sum(r => r.TotalLength) / examples, rows.Sum(r => r.TotalEntropy) / examples, (double)rows.Sum(r => r.Flagged) / examples);
    }

    private static MetricSpread Spread(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        return new MetricSpread(mean, Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / list.Count));
    }
}
