namespace VendorGate.Gateway.Storage;

/// <summary>Bound from the <c>VendorGate</c> section.</summary>
public sealed class VendorGateOptions
{
    public const string Section = "VendorGate";

    /// <summary>Where the embedded default keeps its database, blobs and keys.</summary>
    public string DataDir { get; set; } = "./data";

    public BlobOptions Blob { get; set; } = new();

    public IngestOptions Ingest { get; set; } = new();

    public AuditOptions Audit { get; set; } = new();

    public string FullDataDir => Path.GetFullPath(DataDir);
}

public sealed class BlobOptions
{
    public string? ConnectionString { get; set; }
    public string? AccountUrl { get; set; }
    public string Container { get; set; } = "vendorgate";

    /// <summary>Staged uploads untouched for this long were abandoned (a crash mid-upload or mid-cut) and are removed,
    /// at start-up and every hour. An upload in progress touches its staging file with every write.</summary>
    public TimeSpan StagingMaxAge { get; set; } = TimeSpan.FromHours(6);

    public bool UsesAzure => !string.IsNullOrEmpty(ConnectionString) || !string.IsNullOrEmpty(AccountUrl);
}

public sealed class AuditOptions
{
    /// <summary>The audit log's name in its checkpoints (and the name of the key that signs them): a schema-less URL
    /// unique to this deployment, e.g. <c>vendorgate.example.com/audit</c>.</summary>
    public string Origin { get; set; } = "vendorgate.local/audit";
}

public sealed class IngestOptions
{
    public int MaxLineBytes { get; set; } = 1 << 20;
    public long MaxBatchBytes { get; set; } = 2L << 30;
}
