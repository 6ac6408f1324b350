using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Batches.Uploads;

/// <summary>Ingests an upload session's content while its blocks arrive, so the commit costs little more than the
/// single <c>PUT</c>: each block that extends the run from block 0 is fed, in order, into an ingest running in this
/// process (blocks that arrived early are fed from the blob store when their turn comes). The commit uses that ingest
/// when it was fed exactly the session's blocks; otherwise (another process took some blocks, this one restarted, a
/// block already fed was replaced) it ingests the stored blocks from the start. Nothing of a pipeline is visible until
/// the commit: its blobs are staged uploads, abandoned with it.</summary>
public sealed class UploadPipelines(IBlobStore blobs, IOptions<VendorGateOptions> options, IServiceScopeFactory scopes, ILogger<UploadPipelines> logger)
{
    private readonly ConcurrentDictionary<Guid, Pipeline> _pipelines = new();

    private sealed class Pipeline(Guid batchId) : IAsyncDisposable
    {
        public readonly Pipe Pipe = new(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20));
        public readonly SemaphoreSlim Gate = new(1, 1);
        public readonly List<byte[]> Fed = [];
        public readonly CancellationTokenSource Abort = new();
        public readonly (string Content, string Index) Blobs = BatchesApi.QuarantineBlobs(batchId);
        public Task<IngestOutcome>? Ingest;
        public Func<string, long, bool>? Expected;
        public bool Broken;

        public async ValueTask DisposeAsync()
        {
            await Abort.CancelAsync();
            await Pipe.Writer.CompleteAsync();
            if (Ingest is not null)
            {
                await Ingest.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Block <paramref name="number"/> (with its SHA-256) was stored: feeds it, and the stored blocks after it,
    /// when it extends the run from block 0.</summary>
    public async Task OfferAsync(UploadSession session, Batch batch, int number, byte[] sha256, CancellationToken cancellationToken)
    {
        var pipeline = number == 0 ? _pipelines.GetOrAdd(session.Id, _ => new Pipeline(batch.Id)) : _pipelines.GetValueOrDefault(session.Id);
        if (pipeline is null)
        {
            return;
        }
        await pipeline.Gate.WaitAsync(cancellationToken);
        try
        {
            pipeline.Ingest ??= Start(pipeline, session, batch);
            if (number < pipeline.Fed.Count && !pipeline.Fed[number].AsSpan().SequenceEqual(sha256))
            {
                pipeline.Broken = true; // a block already fed was replaced: the commit ingests from the stored blocks
                return;
            }
            await CatchUpAsync(session.Id, pipeline, cancellationToken);
        }
        finally
        {
            pipeline.Gate.Release();
        }
    }

    /// <summary>The outcome of the ingest fed with exactly <paramref name="blocks"/> (digests in order), or null when
    /// there is none (the commit then ingests the stored blocks itself).</summary>
    public async Task<(IngestOutcome Outcome, string ContentBlob, string IndexBlob)?> FinishAsync(Guid sessionId, IReadOnlyList<byte[]> blocks,
        Func<string, long, bool>? expected, CancellationToken cancellationToken)
    {
        if (!_pipelines.TryRemove(sessionId, out var pipeline))
        {
            return null;
        }
        await pipeline.Gate.WaitAsync(cancellationToken);
        try
        {
            await CatchUpAsync(sessionId, pipeline, cancellationToken);
            if (pipeline.Ingest is null || pipeline.Broken || pipeline.Fed.Count != blocks.Count || !pipeline.Fed.Zip(blocks).All(p => p.First.AsSpan().SequenceEqual(p.Second)))
            {
                await pipeline.DisposeAsync();
                return null;
            }
            pipeline.Expected = expected; // read by the ingest once the content ends, which it does now
            await pipeline.Pipe.Writer.CompleteAsync();
            return (await pipeline.Ingest, pipeline.Blobs.Content, pipeline.Blobs.Index);
        }
        finally
        {
            pipeline.Gate.Release();
        }
    }

    /// <summary>Drops the session's pipeline (abandoned, expired): its staged blobs go with it.</summary>
    public async Task DropAsync(Guid sessionId)
    {
        if (_pipelines.TryRemove(sessionId, out var pipeline))
        {
            await pipeline.DisposeAsync();
        }
    }

    private Task<IngestOutcome> Start(Pipeline pipeline, UploadSession session, Batch batch)
    {
        var ingest = new ContentIngest(blobs, options);
        Stream body = pipeline.Pipe.Reader.AsStream();
        if (session.ContentEncoding == "gzip")
        {
            body = new VerifiedGzipStream(body);
        }
        return Task.Run(async () =>
        {
            try
            {
                return await ingest.IngestAsync(body, pipeline.Blobs.Content, pipeline.Blobs.Index, batch.DeclaredDomains.Split(' '),
                    (digest, count) => pipeline.Expected?.Invoke(digest, count) ?? true, pipeline.Abort.Token);
            }
            finally
            {
                await pipeline.Pipe.Reader.CompleteAsync(); // an ingest that stops early (invalid lines) takes no more
            }
        });
    }

    /// <summary>Feeds the stored blocks that continue the run (the caller holds the gate).</summary>
    private async Task CatchUpAsync(Guid sessionId, Pipeline pipeline, CancellationToken cancellationToken)
    {
        if (pipeline.Broken)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        var stored = await db.UploadBlocks.AsNoTracking().Where(b => b.SessionId == sessionId && b.Number >= pipeline.Fed.Count)
            .OrderBy(b => b.Number).ToListAsync(cancellationToken);
        foreach (var block in stored)
        {
            if (block.Number != pipeline.Fed.Count)
            {
                break;
            }
            try
            {
                await using var content = await blobs.OpenReadAsync(block.Blob, cancellationToken: cancellationToken);
                await content.CopyToAsync(pipeline.Pipe.Writer, cancellationToken);
                await pipeline.Pipe.Writer.FlushAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                logger.LogWarning(e, "Upload session {SessionId}: block {Number} could not be fed; the commit will ingest the stored blocks", sessionId, block.Number);
                pipeline.Broken = true;
                return;
            }
            pipeline.Fed.Add(block.Sha256);
        }
    }
}
