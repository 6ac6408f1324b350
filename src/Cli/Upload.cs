using System.Diagnostics;
using System.Text.Json;
using Spectre.Console;
using VendorGate.Client;
using VendorGate.Corpus;

namespace VendorGate.Cli;

/// <summary>What <c>vendorgate upload</c> was asked to do.</summary>
public sealed record UploadRequest(string File, string Justification, string License, IReadOnlyList<string> Domains, string Source,
    string? IdempotencyKey, string? SignKey, string? ReceiptFile, bool Gzip, TimeSpan Wait);

/// <summary>An upload session this machine may resume (kept under the config folder's <c>uploads/</c> until committed).</summary>
public sealed record UploadState(string Gateway, Guid SessionId);

/// <summary>
/// <c>vendorgate upload</c>: checks the file locally; opens its batch (idempotently: the key is derived from the content's
/// digest, so running the command again finds the same batch); optionally prepares and co-signs the receipt statement;
/// sends the content through an upload session, resuming the one this machine left; commits; and prints the receipt.
/// </summary>
public static class Upload
{
    public static async Task<int> RunAsync(Shell shell, ConfigFolder config, Profile profile, UploadRequest request, CancellationToken ct)
    {
        var check = await LocalCheck.RunAsync(request.File, request.Domains, IngestLimits.Default, digests: null, ct);
        if (!check.Valid)
        {
            return Check.Report(shell, check);
        }
        using var key = request.SignKey is null ? null : VendorKey.Load(request.SignKey);
        var client = Shell.Connect(profile);
        var batch = await CreateAsync(shell, client, new CreateBatchRequest
        {
            Justification = request.Justification, License = request.License, Source = request.Source, DeclaredDomains = request.Domains,
            IdempotencyKey = request.IdempotencyKey ?? $"vendorgate-cli:{check.Digest}",
        }, request.Wait, ct);
        if (batch.Status != "open")
        {
            if (batch.Digest != check.Digest)
            {
                throw new UsageException($"Batch {batch.Id} (idempotency key of this upload) is '{batch.Status}' with other content ({batch.Digest}); give another --idempotency-key.");
            }
            shell.Progress($"Batch {batch.Id} already holds this file ({batch.Status}); nothing was sent.");
            return await FinishAsync(shell, client, batch.Id, new UploadReceipt { Id = batch.Id, Status = batch.Status, Count = batch.Count ?? 0, Digest = batch.Digest! },
                null, request.ReceiptFile, ct);
        }

        var signature = key is null ? null : await CoSignAsync(client, batch, key, check, ct);
        var session = await ResumeOrOpenAsync(shell, config, profile, client, batch.Id, request.Gzip || check.Gzip, ct);
        var compress = session.ContentEncoding == "gzip" && !check.Gzip;
        var blocks = await SendWithProgressAsync(shell, client, session, request.File, compress, check, ct);
        UploadReceipt receipt;
        try
        {
            receipt = await CommitAsync(client, session, signature, ct);
        }
        catch (VendorGateProblemException e) when (e.Code == "missing-blocks")
        {
            // A stored block the Gateway lost (a power cut before it reached the disk): the session no longer lists it,
            // so sending the file again sends only what is missing. Once; a second loss is reported.
            shell.Progress($"{e.Detail} Sending the missing block(s) again.");
            session = await client.GetUploadSessionAsync(batch.Id, session.Id, ct);
            blocks = await SendWithProgressAsync(shell, client, session, request.File, compress, check, ct);
            receipt = await CommitAsync(client, session, signature, ct);
        }
        config.DeleteState(batch.Id.ToString());
        return await FinishAsync(shell, client, batch.Id, receipt, blocks, request.ReceiptFile, ct);
    }

    /// <summary>Opens the batch. While the Gateway's scans are behind, or it is receiving as many uploads as it finishes
    /// promptly, it refuses new batches (503 <c>scans-behind</c> or <c>intake-busy</c>, nothing created): wait as its
    /// <c>Retry-After</c> asks and try again, for up to <paramref name="wait"/>; then the refusal is the answer (exit 4:
    /// run again later).</summary>
    private static async Task<BatchView> CreateAsync(Shell shell, VendorGateClient client, CreateBatchRequest request, TimeSpan wait, CancellationToken ct)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                return await client.CreateBatchAsync(request, ct);
            }
            catch (VendorGateProblemException e) when (e.Code is "scans-behind" or "intake-busy" && waited + (e.RetryAfter ?? RefusedRetry) <= wait)
            {
                var delay = e.RetryAfter ?? RefusedRetry;
                var why = e.Code == "scans-behind" ? "The Gateway's scans are behind" : "The Gateway is busy receiving";
                shell.Progress($"{why}: {e.Detail} Waiting {delay.TotalSeconds:N0} s (--wait {wait.TotalSeconds:N0} s, {waited.TotalSeconds:N0} s waited).");
                await Task.Delay(delay, ct);
                waited += delay;
            }
        }
    }

    private static readonly TimeSpan RefusedRetry = TimeSpan.FromSeconds(5);

    private static Task<UploadReceipt> CommitAsync(VendorGateClient client, UploadSessionView session, string? signature, CancellationToken ct) =>
        signature is null
            ? client.CommitUploadSessionAsync(session.BatchId, session.Id, ct)
            : client.CommitUploadSessionAsync(session.BatchId, session.Id, signature, ct);

    /// <summary>The receipt statement of exactly this content, prepared by the Gateway and signed with the vendor's key
    /// under the algorithm the key is registered for; the value of the <c>VendorGate-Signature</c> header.</summary>
    private static async Task<string> CoSignAsync(VendorGateClient client, BatchView batch, VendorKey key, CheckResult check, CancellationToken ct)
    {
        var registered = await client.ListVendorSigningKeysAsync(batch.VendorId ?? throw new UsageException("Only a vendor's batches are co-signed."), ct);
        var jwk = registered.Keys.FirstOrDefault(k => k.Kid == key.KeyId)
            ?? throw new UsageException($"The key {key.KeyId} is not registered for this vendor: a vendor admin registers its public key (POST /v1/vendors/{batch.VendorId}/signing-keys).");
        var prepared = await client.PrepareReceiptStatementAsync(batch.Id, new PrepareStatementRequest { Digest = check.Digest!, Count = check.Count }, ct);
        var sig = key.Sign(Convert.FromBase64String(prepared.Pae), jwk.Alg);
        return VendorGateClient.VendorSignature(key.KeyId, sig);
    }

    private static async Task<UploadSessionView> ResumeOrOpenAsync(Shell shell, ConfigFolder config, Profile profile, VendorGateClient client, Guid batchId,
        bool gzip, CancellationToken ct)
    {
        if (config.ReadState<UploadState>(batchId.ToString()) is { } state && state.Gateway == profile.Gateway)
        {
            try
            {
                var resumed = await client.GetUploadSessionAsync(batchId, state.SessionId, ct);
                if (resumed.ContentEncoding == (gzip ? "gzip" : "identity"))
                {
                    shell.Progress($"Resuming upload session {resumed.Id}: the Gateway holds {resumed.Blocks.Count} block(s).");
                    return resumed;
                }
                await client.DeleteUploadSessionAsync(batchId, resumed.Id, ct); // sent the other way (--no-gzip changed): start again
            }
            catch (VendorGateProblemException e) when (Shell.IsGone(e))
            {
                shell.Progress($"Upload session {state.SessionId} has expired or was removed; starting a new one.");
            }
        }
        var session = await client.CreateUploadSessionAsync(batchId, new CreateUploadRequest { ContentEncoding = gzip ? "gzip" : "identity" }, ct);
        config.WriteState(batchId.ToString(), new UploadState(profile.Gateway, session.Id));
        return session;
    }

    private static async Task<BlockUpload> SendWithProgressAsync(Shell shell, VendorGateClient client, UploadSessionView session, string file, bool compress,
        CheckResult check, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        double ExamplesPerSecond(UploadProgress p) =>
            (check.FileBytes == 0 ? 0 : (double)check.Count * p.FileBytesRead / check.FileBytes) / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        string Rate(UploadProgress p)
        {
            var eta = p.FileBytesRead == 0 ? "?" : $"{(check.FileBytes - p.FileBytesRead) * clock.Elapsed.TotalSeconds / p.FileBytesRead:0} s";
            return $"{ExamplesPerSecond(p):N0} examples/s, ETA {eta}";
        }
        if (!shell.Interactive)
        {
            // One line per block, so a log (or a test) sees exactly how far the upload got.
            var lines = new SynchronousProgress<UploadProgress>(p =>
            {
                if (p.LastBlock is { } block)
                {
                    shell.Progress($"block {block}: {p.BlocksSent} sent, {p.BlocksReused} already held; {Bytes(p.FileBytesRead)} of {Bytes(check.FileBytes)} read, {Rate(p)}");
                }
            });
            var upload = new BlockUpload(client, session, lines);
            await upload.SendAsync(file, compress, ct);
            return upload;
        }
        return await shell.Error.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("upload", maxValue: check.FileBytes);
                var upload = new BlockUpload(client, session, new SynchronousProgress<UploadProgress>(p =>
                {
                    task.Value = p.FileBytesRead; // the speed column is of the file read
                    task.Description = $"{p.BlocksSent + p.BlocksReused} blocks ({p.BlocksReused} held), {ExamplesPerSecond(p) / 1000:N0}k ex/s";
                }));
                await upload.SendAsync(file, compress, ct);
                return upload;
            });
    }

    private static async Task<int> FinishAsync(Shell shell, VendorGateClient client, Guid batchId, UploadReceipt receipt, BlockUpload? blocks,
        string? receiptFile, CancellationToken ct)
    {
        if (receiptFile is not null)
        {
            var signed = await Watch.UntilAsync(client, batchId, b => b.Attestation?.State is "signed" or "failed", TimeSpan.FromMinutes(2), ct);
            if (signed.Attestation?.State != "signed")
            {
                throw new TimeoutException($"The receipt of batch {batchId} was not signed: {signed.Attestation?.Error}");
            }
            var envelope = await client.GetBatchAttestationAsync(batchId, ct: ct);
            await File.WriteAllBytesAsync(receiptFile, JsonSerializer.SerializeToUtf8Bytes(envelope, VendorGateClient.Json), ct);
        }
        shell.Result(new
        {
            batchId = receipt.Id, receipt.Status, receipt.Count, receipt.Digest, receipt = receiptFile,
            blocksSent = blocks?.BlocksSent ?? 0, blocksAlreadyHeld = blocks?.BlocksReused ?? 0, bytesSent = blocks?.BytesSent ?? 0,
        }, console =>
        {
            console.WriteLine($"batch    {receipt.Id}");
            console.WriteLine($"status   {receipt.Status}");
            console.WriteLine($"examples {receipt.Count}");
            console.WriteLine($"digest   {receipt.Digest}");
            if (blocks is not null)
            {
                console.WriteLine($"sent     {blocks.BlocksSent} block(s), {Bytes(blocks.BytesSent)}; {blocks.BlocksReused} already held by the Gateway");
            }
            if (receiptFile is not null)
            {
                console.WriteLine($"receipt  {receiptFile} (vendorgate-verify envelope {receiptFile} --keys …)");
            }
        });
        return ExitCodes.Ok;
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.00} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };

    /// <summary>Reports on the caller's thread (<see cref="Progress{T}"/> would post to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _lock = new();

        public void Report(T value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}
