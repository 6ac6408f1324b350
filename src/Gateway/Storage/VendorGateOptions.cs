using VendorGate.Gateway.Storage.Blobs;

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

    public ExportOptions Export { get; set; } = new();

    /// <summary>How long a statement on the embedded database waits for SQLite's one writer before the request is
    /// answered 503 <c>database-busy</c>.</summary>
    public TimeSpan SqliteBusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pages of the embedded database's write-ahead log before a commit checkpoints it
    /// (<see cref="SqliteConnectionSettings"/>).</summary>
    public int SqliteWalCheckpointPages { get; set; } = 20_000;

    public string FullDataDir => Path.GetFullPath(DataDir);
}

public sealed class AuditOptions
{
    /// <summary>The audit log's name in its checkpoints (and the name of the key that signs them): a schema-less URL
    /// unique to this deployment, e.g. <c>vendorgate.example.com/audit</c>.</summary>
    public string Origin { get; set; } = "vendorgate.local/audit";
}

public sealed class IngestOptions
{
    public int MaxLineBytes { get; set; } = VendorGate.Corpus.IngestLimits.Default.MaxLineBytes;
    public long MaxBatchBytes { get; set; } = VendorGate.Corpus.IngestLimits.Default.MaxBatchBytes;

    /// <summary>The largest block of an upload session (the last may be shorter; any block may be).</summary>
    public int UploadBlockBytes { get; set; } = 8 << 20;

    /// <summary>How long an upload session takes blocks before it and its blocks are removed.</summary>
    public TimeSpan UploadSessionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How many upload sessions one Gateway process ingests while their blocks arrive; others (and all, at 0)
    /// are ingested at their commit.</summary>
    public int StreamingSessions { get; set; } = 4;

    /// <summary>How many single-body uploads (<c>PUT …/content</c>) one Gateway process ingests at once; more wait their turn
    /// (2-core load benchmark: 4 cost a third of the throughput, 16 none).</summary>
    public int MaxConcurrentUploads { get; set; } = 8 * Environment.ProcessorCount;

    /// <summary>New batches are refused (503 <c>intake-busy</c>, <c>Retry-After: 1</c>) while this many uploads are in
    /// progress or about to start in one Gateway process (<see cref="Batches.Ingest.IntakeLoad"/>); 0 never refuses.</summary>
    public int MaxInFlight { get; set; } = 2 * Environment.ProcessorCount;

    /// <summary>How long after a process's first create the limit <see cref="MaxInFlight"/> takes to grow from 1 to its
    /// full value (a fresh process's first uploads are several times slower); zero starts at the full value.</summary>
    public TimeSpan SlowStart { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Warm the upload path as the process starts (<see cref="Batches.Ingest.IngestWarmUpService"/>), so the first
    /// uploads find it optimized; readiness waits for it.</summary>
    public bool WarmUp { get; set; } = true;
}

public sealed class ExportOptions
{
    /// <summary>About how much example text one Parquet file of an export holds (the Hub's shards are ~256 MB).</summary>
    public long ShardBytes { get; set; } = 256L << 20;
}
