using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Canonical;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Audit;

/// <summary>Append-only, hash-chained log of every write. Appends are serialized (SQLite: the write
/// transaction; PostgreSQL: an advisory transaction lock) so the chain never forks.</summary>
public sealed class AuditLog(VendorGateDb db, TimeProvider time)
{
    public const string Genesis = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    private const long ChainLockKey = 0x5647_4175_6469_74; // "VGAudit"

    /// <summary>Takes the chain lock for the current transaction (no-op on SQLite, whose write transactions are exclusive).</summary>
    public async Task LockAsync(CancellationToken cancellationToken = default)
    {
        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ChainLockKey})", cancellationToken);
        }
    }

    /// <summary>Saves the pending changes together with one audit entry, atomically. Joins the current
    /// transaction if there is one (the caller commits), else runs its own.</summary>
    public async Task RecordAsync(string actor, string action, string target, object? details, CancellationToken cancellationToken = default)
    {
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            await LockAsync(cancellationToken);
            var head = await db.AuditEntries.AsNoTracking().OrderByDescending(a => a.Seq)
                .Select(a => new { a.Seq, a.Hash }).FirstOrDefaultAsync(cancellationToken);
            var seq = (head?.Seq ?? 0) + 1;
            var prevHash = head?.Hash ?? Genesis;
            var at = time.Now();
            var detailsJson = Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(details ?? new { })));
            db.AuditEntries.Add(new AuditEntry
            {
                Seq = seq, At = at, Actor = actor, Action = action, Target = target, Details = detailsJson, PrevHash = prevHash,
                Hash = ComputeHash(seq, at, actor, action, target, detailsJson, prevHash),
            });
            await db.SaveChangesAsync(cancellationToken);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    /// <summary>Walks the chain from the start and reports the first entry that is missing, reordered or altered.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        long count = 0;
        var prev = Genesis;
        await foreach (var e in db.AuditEntries.AsNoTracking().OrderBy(a => a.Seq).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var problem = e.Seq != count + 1 ? $"entry {count + 1} is missing"
                : e.PrevHash != prev ? $"entry {e.Seq} does not link to entry {count}"
                : e.Hash != ComputeHash(e.Seq, e.At, e.Actor, e.Action, e.Target, e.Details, e.PrevHash) ? $"entry {e.Seq} was altered"
                : null;
            if (problem is not null)
            {
                return new AuditVerification(false, count, prev, e.Seq, problem);
            }
            count++;
            prev = e.Hash;
        }
        return new AuditVerification(true, count, prev, null, null);
    }

    public static string ComputeHash(long seq, DateTimeOffset at, string actor, string action, string target, string details, string prevHash) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Canonical(seq, at, actor, action, target, details, prevHash)));

    /// <summary>The canonical JSON of an entry (without its own hash): what the chain hashes and what is the entry's leaf
    /// in the Merkle tree of <see cref="AuditTree"/>.</summary>
    public static byte[] Canonical(AuditEntry e) => Canonical(e.Seq, e.At, e.Actor, e.Action, e.Target, e.Details, e.PrevHash);

    private static byte[] Canonical(long seq, DateTimeOffset at, string actor, string action, string target, string details, string prevHash)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq", seq);
            writer.WriteString("at", Clock.Timestamp(at));
            writer.WriteString("actor", actor);
            writer.WriteString("action", action);
            writer.WriteString("target", target);
            writer.WritePropertyName("details");
            writer.WriteRawValue(details);
            writer.WriteString("prevHash", prevHash);
            writer.WriteEndObject();
        }
        return JsonCanonicalizer.Canonicalize(stream.ToArray());
    }
}

public sealed record AuditVerification(bool Valid, long Entries, string Head, long? FirstInvalidSeq, string? Reason);
