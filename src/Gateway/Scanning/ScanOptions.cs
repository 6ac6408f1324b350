namespace VendorGate.Gateway.Scanning;

/// <summary>The scan policy.</summary>
public sealed class ScanOptions
{
    public const string Section = "VendorGate:Scan";

    /// <summary>Severity per finding code, overriding the scanner's default (info, warn or block).</summary>
    public Dictionary<string, string> Severity { get; set; } = [];

    /// <summary>A batch of more examples than this is scanned in shards of about this many, each pass of each shard a
    /// job any worker process may run (<see cref="ScanShardJob"/>); 0 scans every batch whole in one job.</summary>
    public int ShardExamples { get; set; } = 250_000;
}
