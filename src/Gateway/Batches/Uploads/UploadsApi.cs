using System.Security.Cryptography;
using Hangfire;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Corpus;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Batches.Ingest;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Storage.Blobs.FileSystem;

namespace VendorGate.Gateway.Batches.Uploads;

public sealed record CreateUploadRequest(string? ContentEncoding);

public sealed record UploadBlockView(int Number, int Size, string Sha256);

public sealed record UploadSessionView(Guid Id, Guid BatchId, string ContentEncoding, int BlockSize, DateTimeOffset ExpiresAt,
    long ReceivedBytes, IReadOnlyList<UploadBlockView> Blocks)
{
    public static UploadSessionView Of(UploadSession s) => new(s.Id, s.BatchId, s.ContentEncoding, s.BlockSize, s.ExpiresAt,
        s.Blocks.Sum(b => (long)b.Size), [.. s.Blocks.OrderBy(b => b.Number).Select(b => new UploadBlockView(b.Number, b.Size, Convert.ToHexStringLower(b.Sha256)))]);
}

/// <summary>Resumable uploads (<c>/v1/batches/{batchId}/uploads</c>): a session, blocks sent in any order and again at
/// will (each with its RFC 9530 <c>Content-Digest</c>, verified), the list of blocks received so a client resumes after
/// a crash, and a commit that ingests the blocks' concatenation exactly as <c>PUT …/content</c> ingests its body.</summary>
public static class UploadsApi
{
    public static ResourceRoutes MapUploads(this ResourceRoutes batch)
    {
        var group = batch.One.MapGroup("/uploads").WithTags("Batches").RequireAuthorization(Policies.Upload).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        group.MapPost("/", Create).AddEndpointFilter<ValidationFilter>()
            .WithName("CreateUploadSession").WithSummary("Opens a resumable upload of the batch's content (its submitter, batch open): session id, block size, expiry.")
            .ProducesValidationProblem().ProducesProblem(409);
        group.MapGet("/{sessionId:guid}", Get)
            .WithName("GetUploadSession").WithSummary("The session with the blocks received so far, to resume after a crash.").ProducesProblem(410);
        group.MapPut("/{sessionId:guid}/blocks/{number:int}", PutBlock).AddEndpointFilter<IntakeLoad.Counted>().WithMetadata(new StreamedBody("application/octet-stream", "The block's bytes, with its SHA-256 in Content-Digest: sha-256=:<base64>: (RFC 9530)."))
            .WithName("PutUploadBlock").WithSummary("Stores block {number} (from 0) of the session; Content-Digest: sha-256=:…: is required and verified. Sending a block again replaces it.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(410).ProducesProblem(413);
        group.MapPost("/{sessionId:guid}/commit", Commit).AddEndpointFilter<IntakeLoad.Counted>()
            .WithName("CommitUploadSession").WithSummary("Ingests blocks 0..n in order exactly as PUT …/content does (same line errors, limits and digest); all valid or nothing is kept.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(410).ProducesProblem(413);
        group.MapDelete("/{sessionId:guid}", Abandon)
            .WithName("DeleteUploadSession").WithSummary("Abandons the session and removes its blocks.");
        return batch;
    }

    private static async Task<Results<Created<UploadSessionView>, ValidationProblem, ProblemHttpResult>> Create(Guid batchId, CreateUploadRequest request,
        Caller caller, [FromServices] VendorGateDb db, [FromServices] Microsoft.Extensions.Options.IOptions<VendorGateOptions> options,
        [FromServices] TimeProvider time, CancellationToken ct)
    {
        if (await BatchesApi.UploadableAsync(batchId, caller, db, ct) is { Problem: { } problem })
        {
            return problem;
        }
        var encoding = request.ContentEncoding ?? "identity";
        if (encoding is not ("identity" or "gzip"))
        {
            return Problems.Invalid("contentEncoding", "contentEncoding is gzip or identity (the default).");
        }
        var now = time.Now();
        var session = new UploadSession
        {
            BatchId = batchId, CreatedBy = caller.Id, ContentEncoding = encoding, BlockSize = options.Value.Ingest.UploadBlockBytes,
            CreatedAt = now, ExpiresAt = now + options.Value.Ingest.UploadSessionLifetime,
        };
        db.UploadSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/batches/{batchId}/uploads/{session.Id}", UploadSessionView.Of(session));
    }

    private static async Task<Results<Ok<UploadSessionView>, ProblemHttpResult>> Get(Guid batchId, Guid sessionId, Caller caller,
        [FromServices] VendorGateDb db, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var (session, problem) = await SessionAsync(batchId, sessionId, caller, db, time, ct);
        return problem is null ? TypedResults.Ok(UploadSessionView.Of(session!)) : problem;
    }

    private static async Task<Results<Ok<UploadBlockView>, ProblemHttpResult>> PutBlock(Guid batchId, Guid sessionId, int number, HttpContext http,
        Caller caller, [FromServices] VendorGateDb db, [FromServices] IBlobStore blobs, [FromServices] StreamingIngests streaming,
        [FromServices] Microsoft.Extensions.Options.IOptions<VendorGateOptions> options, [FromServices] TimeProvider time, CancellationToken ct)
    {
        // Without its blocks: a session of hundreds of blocks would otherwise load and track every one for each block sent.
        var (session, problem) = await SessionAsync(batchId, sessionId, caller, db, time, ct, withBlocks: false);
        if (problem is not null)
        {
            return problem;
        }
        var (batch, closed) = await BatchesApi.UploadableAsync(batchId, caller, db, ct);
        if (closed is not null)
        {
            return closed;
        }
        var maxBlocks = (int)Math.Min(int.MaxValue, (options.Value.Ingest.MaxBatchBytes + session!.BlockSize - 1) / session.BlockSize);
        if (number < 0 || number >= maxBlocks)
        {
            return Problems.Create(400, "bad-block-number", $"Blocks are numbered 0 to {maxBlocks - 1} (a batch holds at most {options.Value.Ingest.MaxBatchBytes} bytes in blocks of {session.BlockSize}).");
        }
        if (ContentDigest.Sha256(http.Request.Headers["Content-Digest"].ToString()) is not { } claimed)
        {
            return Problems.Create(400, "bad-content-digest", "Send the block's SHA-256 as Content-Digest: sha-256=:<base64>: (RFC 9530).");
        }
        if (http.Request.ContentLength > session.BlockSize)
        {
            return Problems.Create(413, "block-too-large", $"A block holds at most {session.BlockSize} bytes.");
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = session.BlockSize + 1; // one byte over is read, and answered below
        }
        // Blocks after this one are held for the session's streaming ingest while it is on its way.
        using var arriving = await streaming.ArrivingAsync(session, batch!, number, db, ct);
        // Pooled: a block is up to 256 MiB, and three in flight per client are usual. Received at a page boundary, so
        // the filesystem store writes it around the page cache from where it lies (UncachedFileStream), not copied.
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(session.BlockSize + 1 + UncachedFileStream.Alignment);
        var content = rented.AsMemory(UncachedFileStream.AlignedIndex(rented), session.BlockSize + 1);
        BlockFeed.HeldBlock? held = null;
        var stored = false;
        try
        {
            var (length, digest) = await ReceiveAsync(http.Request.Body, content, ct);
            if (length > session.BlockSize)
            {
                return Problems.Create(413, "block-too-large", $"A block holds at most {session.BlockSize} bytes.");
            }
            if (length == 0)
            {
                return Problems.Create(400, "empty-block", "A block holds at least one byte.");
            }
            if (!CryptographicOperations.FixedTimeEquals(digest, claimed))
            {
                return Problems.Create(400, "digest-mismatch", $"The block's SHA-256 is {Convert.ToBase64String(digest)}, not the Content-Digest's {Convert.ToBase64String(claimed)}; it was not kept.");
            }
            var blob = $"{UploadSession.Prefix(sessionId)}{number:D6}.{Convert.ToHexStringLower(digest)}";
            var block = new StoredBlock(number, blob, digest);
            var bytes = content[..length];
            // The session's streaming ingest reads the block from this buffer while it is stored, when it is one of the
            // next few (stored first and read back otherwise).
            held = await streaming.HoldAsync(session, batch!, block, bytes, db, ct);
            await blobs.WriteOnceAsync(blob, bytes, scratch: true, ct);
            var row = await db.UploadBlocks.FindAsync([sessionId, number], ct);
            if (row is null)
            {
                db.UploadBlocks.Add(new UploadBlock { SessionId = sessionId, Number = number, Sha256 = digest, Blob = blob, Size = length });
            }
            else
            {
                (row.Sha256, row.Blob, row.Size) = (digest, blob, length);
            }
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                return Problems.Conflict("block-conflict", $"Block {number} was being stored by another request at the same time; send it again.");
            }
            stored = true;
            if (held is null)
            {
                await streaming.BlockStoredAsync(session, batch!, block, db, ct);
            }
            return TypedResults.Ok(new UploadBlockView(number, length, Convert.ToHexStringLower(digest)));
        }
        finally
        {
            if (held is not null)
            {
                await streaming.LetGoAsync(held, stored); // the run reads the buffer until then
            }
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Reads the request body into <paramref name="buffer"/> until it ends or the buffer is full, hashing it
    /// as it arrives (in pieces of at least 256 KiB, so the hash runs while the next bytes are on their way): the
    /// length read and the SHA-256 of those bytes.</summary>
    private static async Task<(int Length, byte[] Sha256)> ReceiveAsync(Stream body, Memory<byte> buffer, CancellationToken ct)
    {
        const int HashPiece = 256 << 10;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var (length, hashed) = (0, 0);
        while (length < buffer.Length)
        {
            var n = await body.ReadAsync(buffer[length..], ct);
            if (n == 0)
            {
                break;
            }
            length += n;
            if (length - hashed >= HashPiece)
            {
                hash.AppendData(buffer.Span[hashed..length]);
                hashed = length;
            }
        }
        hash.AppendData(buffer.Span[hashed..length]);
        return (length, hash.GetHashAndReset());
    }

    private static async Task<Results<Accepted<UploadReceipt>, ProblemHttpResult>> Commit(Guid batchId, Guid sessionId, HttpContext http, Caller caller,
        [FromServices] StreamingIngests streaming, [AsParameters] BatchesApi.UploadServices services, CancellationToken ct)
    {
        var (db, blobs, time) = (services.Db, services.Blobs, services.Time);
        var (session, problem) = await SessionAsync(batchId, sessionId, caller, db, time, ct);
        if (problem is not null)
        {
            return problem;
        }
        var (batch, closed) = await BatchesApi.UploadableAsync(batchId, caller, db, ct);
        if (closed is not null)
        {
            return closed;
        }
        var blocks = session!.Blocks.OrderBy(b => b.Number).ToList();
        if (blocks.Count == 0)
        {
            return Problems.Create(400, "empty-batch", "The session holds no blocks.");
        }
        var missing = Enumerable.Range(0, blocks[^1].Number + 1).Except(blocks.Select(b => b.Number)).ToList();
        if (missing.Count > 0)
        {
            return Problems.Create(409, "missing-blocks", $"Blocks {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", …" : "")} are missing; send them, then commit.",
                new Dictionary<string, object?> { ["missing"] = missing });
        }
        // Usually ingested while the blocks arrived (StreamingIngests); otherwise read from the stored blocks now.
        var stored = blocks.Select(StoredBlock.Of).ToList();
        await using var streamed = await streaming.TakeAsync(sessionId, stored); // also stopped when refused before it is read
        Results<Accepted<UploadReceipt>, ProblemHttpResult> result;
        try
        {
            result = await BatchesApi.ReceiveAsync(batch!, async token => streamed ?? await services.Ingest.StartAsync(batch!, session.Decode(BlockFeed.Of(blobs, stored)), token),
                http.Request.Headers[VendorSignatures.Header].ToString(), caller, services,
                inTransaction: async token => await db.UploadSessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(token), ct);
        }
        catch (StoredBlockLostException lost)
        {
            await db.Set<UploadBlock>().Where(b => b.SessionId == sessionId && b.Number == lost.Number).ExecuteDeleteAsync(CancellationToken.None);
            await blobs.DeleteIfExistsAsync(stored[lost.Number].Blob, CancellationToken.None); // sent again, the block is stored again
            return Problems.Create(409, "missing-blocks", $"Stored block {lost.Number} no longer matches its digest (lost when the Gateway's machine restarted before it reached the disk, or changed there); send it again, then commit.",
                new Dictionary<string, object?> { ["missing"] = new[] { lost.Number } });
        }
        if (result.Result is Accepted<UploadReceipt>)
        {
            // After the answer, not before it: a gigabyte of blocks takes a while to delete (their disk space is
            // discarded). A block the job misses is the hourly sweeper's.
            services.Jobs.Enqueue<UploadSessionCleanup>(cleanup => cleanup.RemoveCommittedAsync(sessionId));
        }
        return result;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Abandon(Guid batchId, Guid sessionId, Caller caller, [FromServices] VendorGateDb db,
        [FromServices] IBlobStore blobs, [FromServices] StreamingIngests streaming, [FromServices] TimeProvider time, CancellationToken ct)
    {
        var (_, problem) = await SessionAsync(batchId, sessionId, caller, db, time, ct, allowExpired: true, withBlocks: false);
        if (problem is not null)
        {
            return problem;
        }
        await db.UploadSessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(ct);
        await streaming.StopAsync(sessionId);
        await UploadSessionCleanup.RemoveBlobsAsync(blobs, sessionId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The caller's own session of the batch (another's, or one of a batch the caller cannot see, is not found),
    /// with its blocks unless <paramref name="withBlocks"/> is false.</summary>
    private static async Task<(UploadSession? Session, ProblemHttpResult? Problem)> SessionAsync(Guid batchId, Guid sessionId, Caller caller,
        VendorGateDb db, TimeProvider time, CancellationToken ct, bool allowExpired = false, bool withBlocks = true)
    {
        IQueryable<UploadSession> sessions = withBlocks ? db.UploadSessions.Include(s => s.Blocks) : db.UploadSessions;
        var session = await sessions.FirstOrDefaultAsync(s => s.Id == sessionId && s.BatchId == batchId && s.CreatedBy == caller.Id, ct);
        if (session is null)
        {
            return (null, Problems.NotFound("Upload session"));
        }
        if (!allowExpired && session.ExpiresAt <= time.Now())
        {
            return (null, Problems.Create(410, "upload-expired", $"The session expired at {Clock.Timestamp(session.ExpiresAt)}; open a new one."));
        }
        return (session, null);
    }
}

/// <summary>RFC 9530 <c>Content-Digest</c>: a structured-field dictionary of algorithm = :base64:.</summary>
internal static class ContentDigest
{
    /// <summary>The sha-256 member's 32 bytes, or null when the header has none or it is malformed.</summary>
    public static byte[]? Sha256(string header)
    {
        foreach (var member in header.Split(','))
        {
            var (key, value) = member.Split('=', 2) is [var k, var v] ? (k.Trim(), v.Trim()) : ("", "");
            if (key == "sha-256" && value.Length > 2 && value[0] == ':' && value[^1] == ':')
            {
                var bytes = new byte[32];
                return Convert.TryFromBase64String(value[1..^1], bytes, out var n) && n == 32 ? bytes : null;
            }
        }
        return null;
    }
}
