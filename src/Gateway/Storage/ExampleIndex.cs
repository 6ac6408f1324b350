using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using VendorGate.Attest.Digests;

namespace VendorGate.Gateway.Storage;

/// <summary>Bulk writes of <c>example_occurrences</c> (a batch can hold millions of examples, too many for
/// change tracking): PostgreSQL binary COPY, or one prepared SQLite statement in a transaction.</summary>
public sealed class ExampleIndex(VendorGateDb db)
{
    /// <summary>Replaces the batch's rows with one per digest (<paramref name="digests"/> = n × 32 bytes, line order).</summary>
    public Task ReplaceAsync(Guid batchId, ReadOnlyMemory<byte> digests, CancellationToken cancellationToken = default) =>
        ReplaceAsync(batchId, new[] { digests }.ToAsyncEnumerable(), cancellationToken);

    /// <summary>Replaces the batch's rows with one per digest, the digests in line order in pieces of n × 32 bytes (read
    /// as they are written: a 1M batch's 32 MB of digests are not held at once).</summary>
    public async Task ReplaceAsync(Guid batchId, IAsyncEnumerable<ReadOnlyMemory<byte>> digests, CancellationToken cancellationToken = default)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.ExampleOccurrences.Where(o => o.BatchId == batchId).ExecuteDeleteAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            if (connection is NpgsqlConnection npgsql)
            {
                await CopyAsync(npgsql, batchId, digests, cancellationToken);
            }
            else
            {
                await InsertAsync(connection, tx.GetDbTransaction(), batchId, digests, cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, Guid batchId, IAsyncEnumerable<ReadOnlyMemory<byte>> digests, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            """COPY example_occurrences ("BatchId", "Line", "Digest") FROM STDIN (FORMAT BINARY)""", cancellationToken);
        var line = 0;
        await foreach (var piece in digests.WithCancellation(cancellationToken))
        {
            for (var at = 0; at < piece.Length; at += BatchDigest.Size, line++)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(batchId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(line, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(piece.Slice(at, BatchDigest.Size).ToArray(), NpgsqlDbType.Bytea, cancellationToken);
            }
        }
        await writer.CompleteAsync(cancellationToken);
    }

    private static async Task InsertAsync(DbConnection connection, DbTransaction tx, Guid batchId, IAsyncEnumerable<ReadOnlyMemory<byte>> digests,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """INSERT INTO example_occurrences ("BatchId", "Line", "Digest") VALUES ($b, $l, $d)""";
        var b = Parameter(command, "$b", batchId.ToString().ToUpperInvariant()); // EF's SQLite Guid form
        var l = Parameter(command, "$l", 0);
        var d = Parameter(command, "$d", Array.Empty<byte>());
        await command.PrepareAsync(cancellationToken);
        var line = 0;
        await foreach (var piece in digests.WithCancellation(cancellationToken))
        {
            for (var at = 0; at < piece.Length; at += BatchDigest.Size, line++)
            {
                l.Value = line;
                d.Value = piece.Slice(at, BatchDigest.Size).ToArray();
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        GC.KeepAlive(b);
    }

    private static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
        return p;
    }
}
