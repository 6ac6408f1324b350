using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Exports;

/// <summary>
/// Writes an export: the snapshot's examples as Parquet shards (two at a time) and the dataset card, stored under the
/// export's prefix; then, in one save, names the files, makes the statement of their digests due and audits it.
/// <see cref="AttestJob"/> signs it and the export completes. Idempotent and resumable: a run that stopped part-way
/// left files no one was told of, and the next run removes them and writes the export again (the same bytes).
/// </summary>
public sealed class ExportJob(VendorGateDb db, IBlobStore blobs, ParquetShardWriter shards, AuditLog audit, IBackgroundJobClient jobs,
    IOptions<VendorGateOptions> options, TimeProvider time)
{
    public static void Enqueue(IBackgroundJobClient jobs, Guid id) => jobs.Enqueue<ExportJob>(job => job.RunAsync(id, CancellationToken.None));

    /// <summary>Shards written at once (each parses and encodes on its own thread).</summary>
    private const int ShardsAtOnce = 2;

    [DisableConcurrentExecution("export:{0}", 600)]
    public async Task RunAsync(Guid id, CancellationToken ct)
    {
        var export = await db.Exports.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (export is not { Status: ExportStatus.Writing })
        {
            return;
        }
        try
        {
            var snapshot = await db.Snapshots.AsNoTracking().FirstAsync(s => s.Version == export.SnapshotVersion, ct);
            var prefix = SnapshotExport.BlobPrefix(id);
            await foreach (var stale in blobs.ListAsync(prefix, ct))
            {
                await blobs.DeleteIfExistsAsync(stale, ct);
            }
            var sources = await SourcesAsync(snapshot, ct);
            var plan = ExportShard.Plan(snapshot.Count, TextBytes(sources), options.Value.Export.ShardBytes);
            var files = new ExportFile[plan.Count];
            long written = 0;
            var work = Parallel.ForEachAsync(Enumerable.Range(0, plan.Count), new ParallelOptions { MaxDegreeOfParallelism = ShardsAtOnce, CancellationToken = ct },
                async (k, token) => files[k] = await shards.WriteAsync(sources, plan[k], prefix + plan[k].Name, n => Interlocked.Add(ref written, n), token));
            while (await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(1), time, ct)) != work)
            {
                var progress = Interlocked.Read(ref written);
                await db.Exports.Where(e => e.Id == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.RowsWritten, progress), ct);
            }
            await work;

            var card = DatasetCard.Render(export, sources, files);
            await blobs.WriteOnceAsync(prefix + DatasetCard.FileName, card, ct);
            var all = files.Append(new ExportFile(DatasetCard.FileName, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(card)), card.Length, 0)).ToList();
            export.Files = JsonSerializer.Serialize(all, JsonSerializerOptions.Web);
            (export.RowsWritten, export.Status, export.Error) = (snapshot.Count, ExportStatus.Signing, null);
            export.Attestation.Due();
            await audit.RecordAsync("system:export", "export.written", $"export:{id}",
                new { snapshot = snapshot.Version, export.Format, files = all.Select(f => new { f.Name, f.Sha256 }) }, ct);
            AttestJob.Enqueue(jobs, ExportAttestation.Kind, id.ToString());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await db.Exports.Where(x => x.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Error, e.Message), CancellationToken.None);
            throw; // Hangfire retries with back-off
        }
    }

    /// <summary>Every batch merged up to the snapshot, with who is accountable for it and the first snapshot it entered.</summary>
    private async Task<ExportSources> SourcesAsync(Snapshot snapshot, CancellationToken ct)
    {
        var merged = await SnapshotLineage.MergedAsync(db, snapshot, ct);
        var ids = merged.Keys.ToList();
        var batches = await db.Batches.AsNoTracking().Where(b => ids.Contains(b.Id)).ToDictionaryAsync(b => b.Id, ct);
        var submitters = batches.Values.Select(b => b.SubmitterId).Distinct().ToList();
        var handles = await db.Principals.AsNoTracking().Where(p => submitters.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Handle, ct);
        var vendorIds = batches.Values.Select(b => b.VendorId).OfType<Guid>().Distinct().ToList();
        var vendors = await db.Vendors.AsNoTracking().Where(v => vendorIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Name, ct);
        var provenance = batches.Values.ToDictionary(b => b.Id, b => new RowProvenance(b.Id, b.SubmitterId, handles[b.SubmitterId], b.VendorId,
            b.VendorId is { } vendor ? vendors[vendor] : null, b.License, b.Source, b.CreatedAt, merged[b.Id]));
        return new ExportSources(snapshot, batches, provenance, JsonSerializer.Deserialize<List<string>>(snapshot.Domains)!);
    }

    /// <summary>About how much example text the snapshot holds: its examples at its batches' average line length.</summary>
    private static long TextBytes(ExportSources sources)
    {
        var lines = sources.Batches.Values.Sum(b => b.Count ?? 0);
        return lines == 0 ? 0 : (long)((double)sources.Batches.Values.Sum(b => b.ContentBytes ?? 0) / lines * sources.Snapshot.Count);
    }
}
