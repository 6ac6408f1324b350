using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Eval;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Scanning;

/// <summary>One check run on every received batch. Adding a scanner means adding one class implementing this;
/// it is discovered and registered at start-up.</summary>
public interface IBatchScanner
{
    Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken);
}

/// <summary>A finding as a scanner reports it; its severity may be overridden by <c>VendorGate:Scan:Severity:&lt;code&gt;</c>.
/// <c>Evidence</c> is what matched, for a reviewer: a few short excerpts or names.</summary>
public sealed record ScanFinding(string Code, string Severity, string Message, IReadOnlyList<long> Lines, IReadOnlyList<string>? Evidence = null);

/// <summary>What scanners see and produce. They read the batch, its example digests in line order, the database
/// (<see cref="Reads"/>) and the blob store (<see cref="Blobs"/>, reading only); batch scanners also see what the example
/// scanners found. They write nothing: what they keep beside their findings goes to <see cref="Artifacts"/>, which
/// the scan job stores with the findings.</summary>
public sealed class BatchScanContext(Batch batch, byte[]? digests, ScanReads reads, IBlobReader blobs, DateTimeOffset scannedAt)
{
    public const int MaxLinesPerFinding = 100;

    public Batch Batch => batch;
    public IReadOnlyList<string> DeclaredDomains { get; } = batch.DeclaredDomains.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    public ExampleHits Hits { get; } = new();
    public ScanReads Reads => reads;
    public IBlobReader Blobs => blobs;
    public ScanArtifacts Artifacts { get; } = new();
    /// <summary>When this scan ran: the time every row it writes carries.</summary>
    public DateTimeOffset ScannedAt => scannedAt;

    /// <summary>Whether scanners take their reference data (the corpus sample word statistics judge with) as they
    /// prepare: false only on the shards of a sharded scan's first pass, which count their own lines and judge nothing.</summary>
    public bool LearnsReference { get; init; } = true;
    public int Count => Digests is { } read ? read.Length / BatchDigest.Size : checked((int)(batch.Count ?? 0));

    /// <summary>The example digests in line order (<see cref="ReadDigestsAsync"/>): the batch scanners read them; the
    /// shards of a sharded scan, which run example scanners only, do without.</summary>
    public byte[]? Digests { get; set; } = digests;

    public ReadOnlySpan<byte> DigestAt(int line) =>
        (Digests ?? throw new InvalidOperationException("This part of the scan has not read the batch's digests.")).AsSpan(line * BatchDigest.Size, BatchDigest.Size);

    /// <summary>The batch's example digests in line order, from its quarantine index.</summary>
    public static async Task<byte[]> ReadDigestsAsync(IBlobReader blobs, Batch batch, CancellationToken cancellationToken)
    {
        var digests = ScanMemory.Array<byte>(checked((int)batch.Count!.Value * BatchDigest.Size));
        var at = 0;
        await foreach (var piece in ReadDigestPiecesAsync(blobs, batch, cancellationToken))
        {
            piece.Span.CopyTo(digests.AsSpan(at));
            at += piece.Length;
        }
        return digests;
    }

    /// <summary>The batch's example digests in line order, a piece at a time (many records a read, into pooled buffers): a
    /// piece is valid until the next is asked for.</summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadDigestPiecesAsync(IBlobReader blobs, Batch batch,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const int Record = QuarantineIndex.RecordSize;
        var count = checked((int)batch.Count!.Value);
        var records = System.Buffers.ArrayPool<byte>.Shared.Rent(QuarantineIndex.ReadBufferBytes(count));
        var digests = System.Buffers.ArrayPool<byte>.Shared.Rent(records.Length / Record * BatchDigest.Size);
        try
        {
            await using var index = await blobs.OpenReadAsync(batch.IndexBlob!, cancellationToken: cancellationToken);
            for (var line = 0; line < count;)
            {
                var n = Math.Min(count - line, records.Length / Record);
                await index.ReadExactlyAsync(records.AsMemory(0, n * Record), cancellationToken);
                for (var r = 0; r < n; r++)
                {
                    QuarantineIndex.Digest(records.AsSpan(r * Record, Record)).CopyTo(digests.AsSpan(r * BatchDigest.Size));
                }
                line += n;
                yield return digests.AsMemory(0, n * BatchDigest.Size);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(records);
            System.Buffers.ArrayPool<byte>.Shared.Return(digests);
        }
    }
}

/// <summary>The tables scanners read, as queries that track nothing. <see cref="None"/> is a scan outside a Gateway
/// (the evaluation harness): <see cref="Available"/> is false, and scanners that need the corpus do without it.</summary>
public sealed class ScanReads(VendorGateDb? db)
{
    public static readonly ScanReads None = new(null);

    public bool Available => db is not null;
    public IQueryable<Batch> Batches => Db.Batches.AsNoTracking();
    public IQueryable<ExampleOccurrence> ExampleOccurrences => Db.ExampleOccurrences.AsNoTracking();
    public IQueryable<Principal> Principals => Db.Principals.AsNoTracking();
    public IQueryable<BatchProfile> BatchProfiles => Db.BatchProfiles.AsNoTracking();
    public IQueryable<TriggerCandidate> TriggerCandidates => Db.TriggerCandidates.AsNoTracking();
    public IQueryable<KnownBadSignature> KnownBadSignatures => Db.KnownBadSignatures.AsNoTracking();
    public IQueryable<EvalCoverage> EvalCoverage => Db.EvalCoverage.AsNoTracking();

    private VendorGateDb Db => db ?? throw new InvalidOperationException("This scan runs without a database.");
}

/// <summary>What a scan keeps beside its findings, stored only by the scan job: the blobs before its transaction
/// (write-once: a rescan computes the same ones), the rows in it, replacing the batch's rows of an earlier scan.</summary>
public sealed class ScanArtifacts
{
    /// <summary>The batch's statistics for its annotator's profile.</summary>
    public BatchProfile? Profile { get; set; }

    /// <summary>The batch's candidate triggers, of every kind.</summary>
    public List<TriggerCandidate> TriggerCandidates { get; } = [];

    /// <summary>Blobs by name, each as the write of its content (<see cref="ValuesBlob"/>: an array written as it is).</summary>
    public Dictionary<string, Func<Stream, CancellationToken, Task>> Blobs { get; } = [];

    /// <summary>The bytes of <paramref name="values"/> as a blob's content, written a megabyte at a time rather than
    /// copied whole first (the near-duplicate bands are 48 MB at 1M examples).</summary>
    public static Func<Stream, CancellationToken, Task> ValuesBlob<T>(T[] values) where T : unmanaged => async (stream, cancellationToken) =>
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var total = (long)values.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            for (long at = 0; at < total; at += buffer.Length)
            {
                var n = (int)Math.Min(buffer.Length, total - at);
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).Slice((int)at, n).CopyTo(buffer);
                await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    };

    public async Task WriteBlobsAsync(IBlobStore store, CancellationToken cancellationToken)
    {
        foreach (var (name, write) in Blobs)
        {
            await store.WriteOnceAsync(name, write, scratch: false, cancellationToken);
        }
    }

    /// <summary>Replaces the batch's rows; saved with the caller's transaction.</summary>
    public async Task ReplaceRowsAsync(VendorGateDb db, Guid batchId, CancellationToken cancellationToken)
    {
        await db.BatchProfiles.Where(p => p.BatchId == batchId).ExecuteDeleteAsync(cancellationToken);
        await db.TriggerCandidates.Where(c => c.BatchId == batchId).ExecuteDeleteAsync(cancellationToken);
        if (Profile is not null)
        {
            db.BatchProfiles.Add(Profile);
        }
        db.TriggerCandidates.AddRange(TriggerCandidates);
    }
}
