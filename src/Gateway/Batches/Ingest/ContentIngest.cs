using Microsoft.Extensions.Options;
using VendorGate.Corpus;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches;

/// <summary>Starts streaming an NDJSON upload through <see cref="ExampleIngest"/> into two new quarantine blobs,
/// <c>content</c> and <c>index</c> (see <see cref="IngestRun"/>).</summary>
public sealed class ContentIngest(IBlobStore blobs, IOptions<VendorGateOptions> options)
{
    private readonly SemaphoreSlim _uploads = new(options.Value.Ingest.MaxConcurrentUploads);

    /// <summary>Waits for one of the <c>VendorGate:Ingest:MaxConcurrentUploads</c> places for a single-body upload, so that
    /// however many vendors upload at once, one process holds at most that many ingests' buffers (a large upload's about
    /// 28 MiB); the bodies waiting are not read meanwhile.</summary>
    public async Task<IDisposable> EnterUploadAsync(CancellationToken cancellationToken)
    {
        await _uploads.WaitAsync(cancellationToken);
        return new Place(_uploads);
    }

    private sealed class Place(SemaphoreSlim uploads) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                uploads.Release();
            }
        }
    }

    /// <summary>Starts ingesting <paramref name="body"/> (decompressed NDJSON, of <paramref name="bodyBytes"/> when known)
    /// as <paramref name="batch"/>'s content; the run reads the body on its own until it ends or the run is disposed, and
    /// disposes it.</summary>
    public async Task<IngestRun> StartAsync(Batch batch, Stream body, CancellationToken cancellationToken, long? bodyBytes = null)
    {
        var upload = Guid.NewGuid().ToString("N");
        var (contentBlob, indexBlob) = ($"quarantine/{batch.Id}/{upload}.ndjson", $"quarantine/{batch.Id}/{upload}.index");
        var content = await blobs.StartBulkUploadAsync(contentBlob, cancellationToken);
        try
        {
            var index = await blobs.StartBulkUploadAsync(indexBlob, cancellationToken);
            var limits = options.Value.Ingest;
            return new IngestRun(body, contentBlob, content, indexBlob, index, stop => ExampleIngest.RunAsync(body, content.Content, index.Content,
                new IngestLimits(limits.MaxLineBytes, limits.MaxBatchBytes), batch.DeclaredDomains.Split(' '), stop, bodyBytes), cancellationToken);
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }
    }
}

/// <summary>
/// One ingest under way, writing a batch's content and index blobs, which it commits only when every line is valid
/// and the content is what the caller expects (<see cref="FinishAsync"/>). Disposed unfinished, it stops and leaves
/// nothing behind. The single <c>PUT …/content</c> runs one for its request; an upload session runs one while its
/// blocks arrive, so its commit has only the last lines left to read.
/// </summary>
public sealed class IngestRun : IAsyncDisposable
{
    private readonly Stream _body;
    private readonly IBlobUpload _content;
    private readonly IBlobUpload _index;
    private readonly CancellationTokenSource _stop;
    private readonly Task<IngestOutcome> _outcome;
    private int _disposed;

    internal IngestRun(Stream body, string contentBlob, IBlobUpload content, string indexBlob, IBlobUpload index,
        Func<CancellationToken, Task<IngestOutcome>> run, CancellationToken cancellationToken)
    {
        (_body, ContentBlob, _content, IndexBlob, _index) = (body, contentBlob, content, indexBlob, index);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _outcome = Task.Run(() => run(_stop.Token), _stop.Token);
    }

    public string ContentBlob { get; }
    public string IndexBlob { get; }

    /// <summary>Completes when the run has stopped reading its body: at its end, at an invalid line, or on an error.</summary>
    public Task Ended => _outcome;

    /// <summary>The run ended in an error (reading its body or writing its blobs) or was stopped.</summary>
    public bool Failed => _outcome.IsFaulted || _outcome.IsCanceled;

    /// <summary>Waits for the body's end and returns the outcome; valid content that is not what
    /// <paramref name="expected"/> (given the batch digest and count) expects is <see cref="IngestOutcome.Unexpected"/>.
    /// Accepted content's blobs are committed.</summary>
    public async Task<IngestOutcome> FinishAsync(Func<string, long, bool>? expected, CancellationToken cancellationToken)
    {
        var outcome = await _outcome.WaitAsync(cancellationToken);
        if (outcome is IngestOutcome.Accepted accepted && expected is not null && !expected(Attest.Digests.BatchDigest.Format(accepted.Digest), accepted.Count))
        {
            return new IngestOutcome.Unexpected(accepted.Count, accepted.Digest);
        }
        if (outcome is IngestOutcome.Accepted)
        {
            await _content.CommitAsync(cancellationToken);
            await _index.CommitAsync(cancellationToken);
        }
        return outcome;
    }

    /// <summary>Stops the run if it is still reading and drops its blobs unless committed; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stop.CancelAsync();
        await _outcome.ContinueWith(_ => { }, TaskScheduler.Default); // stopped before its body and blobs are dropped
        await _body.DisposeAsync();
        await _content.DisposeAsync();
        await _index.DisposeAsync();
        _stop.Dispose();
    }
}
