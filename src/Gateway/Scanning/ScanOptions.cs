namespace VendorGate.Gateway.Scanning;

/// <summary>The scan policy.</summary>
public sealed class ScanOptions
{
    public const string Section = "VendorGate:Scan";

    /// <summary>Severity per finding code, overriding the scanner's default (info, warn or block).</summary>
    public Dictionary<string, string> Severity { get; set; } = [];

    /// <summary>A batch of more examples than this is scanned in shards of about this many, each pass of each shard a
    /// job any worker process may run (<see cref="ScanShardJob"/>); 0 scans every batch whole in one job. Unset:
    /// <see cref="DefaultShardExamples"/> when jobs run on PostgreSQL (processes share them), 0 on the embedded default,
    /// whose one process gains nothing from shards and would hold two shards' statistics at once.</summary>
    public int? ShardExamples { get; set; }

    public const int DefaultShardExamples = 250_000;

    /// <summary>A batch of this many examples or more, scanned whole, has its example index written while its passes run
    /// (below, first: <see cref="ScanBatchJob"/> says why).</summary>
    public int IndexBesidePassesFrom { get; set; } = 100_000;
}
