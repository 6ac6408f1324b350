using VendorGate.Attest.Digests;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches.Scanning;

/// <summary>One check run on every received batch. Adding a scanner means adding one class implementing this;
/// it is discovered and registered at start-up.</summary>
public interface IBatchScanner
{
    Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken);
}

/// <summary>A finding as a scanner reports it; its severity may be overridden by <c>VendorGate:Scan:Severity:&lt;code&gt;</c>.
/// <c>Evidence</c> is what matched, for a reviewer: a few short excerpts or names.</summary>
public sealed record ScanFinding(string Code, string Severity, string Message, IReadOnlyList<long> Lines, IReadOnlyList<string>? Evidence = null);

/// <summary>What scanners read: the batch, its example digests in line order, the database and the blob store; batch
/// scanners also see what the example scanners found.</summary>
public sealed class BatchScanContext(Batch batch, byte[] digests, VendorGateDb db, IBlobStore blobs, DateTimeOffset scannedAt)
{
    public const int MaxLinesPerFinding = 100;

    public Batch Batch => batch;
    public IReadOnlyList<string> DeclaredDomains { get; } = batch.DeclaredDomains.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    public ExampleHits Hits { get; } = new();
    public VendorGateDb Db => db;
    public IBlobStore Blobs => blobs;
    /// <summary>When this scan ran: the time every row it writes carries.</summary>
    public DateTimeOffset ScannedAt => scannedAt;
    public int Count => digests.Length / BatchDigest.Size;

    public ReadOnlySpan<byte> DigestAt(int line) => digests.AsSpan(line * BatchDigest.Size, BatchDigest.Size);
}
