using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;

namespace VendorGate.Gateway.Batches.Uploads;

/// <summary>A resumable upload of one open batch's content, by its submitter: blocks arrive in any order, each stored
/// as a create-only blob under <c>uploads/{Id}/</c>, and the commit ingests their concatenation exactly as the single
/// <c>PUT …/content</c> ingests its body. Until then nothing of it is visible; at <see cref="ExpiresAt"/> it is removed.</summary>
[Table("upload_sessions")]
[Index(nameof(BatchId))]
public sealed class UploadSession
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BatchId { get; init; }
    public Guid CreatedBy { get; init; }

    /// <summary>"gzip" when the concatenated blocks are a gzip stream of the NDJSON, else "identity".</summary>
    public required string ContentEncoding { get; init; }

    public int BlockSize { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }

    public List<UploadBlock> Blocks { get; init; } = [];

    /// <summary>The NDJSON that <paramref name="blocks"/>, the session's blocks in order, encode.</summary>
    public Stream Decode(Stream blocks) => ContentEncoding == "gzip" ? new VendorGate.Corpus.VerifiedGzipStream(blocks) : blocks;

    /// <summary>Where the blocks of a session are stored.</summary>
    public static string Prefix(Guid sessionId) => $"uploads/{sessionId:N}/";
}

/// <summary>One received block: its number (from 0), size and SHA-256, stored as <see cref="Blob"/>. A block sent again
/// replaces the row (its blob is named by its digest, so a different body is a different blob).</summary>
[Table("upload_blocks")]
[PrimaryKey(nameof(SessionId), nameof(Number))]
public sealed class UploadBlock
{
    public Guid SessionId { get; init; }
    public int Number { get; init; }
    public int Size { get; set; }
    public required byte[] Sha256 { get; set; }
    public required string Blob { get; set; }
}

internal sealed class UploadSessionMapping : IEntityTypeConfiguration<UploadSession>
{
    public void Configure(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<UploadSession> session) =>
        session.HasMany(s => s.Blocks).WithOne().HasForeignKey(b => b.SessionId).OnDelete(DeleteBehavior.Cascade);
}
