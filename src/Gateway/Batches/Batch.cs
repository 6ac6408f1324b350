using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Batches;

public static class BatchSources
{
    public const string Vendor = "vendor";
    public const string Synthetic = "synthetic";
    public const string Internal = "internal";
}

public sealed class Batch
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    /// <summary>Where the batch is in its lifecycle (<see cref="BatchStatus"/>); it moves only through
    /// <see cref="Apply"/>, which refuses a transition the lifecycle does not allow.</summary>
    public string Status { get; private set; } = BatchStatus.Open;
    public Guid? VendorId { get; init; }
    public Guid SubmitterId { get; init; }
    public required string Justification { get; init; }
    public required string License { get; init; }
    public required string Source { get; init; }

    /// <summary>Declared domains, space separated.</summary>
    public required string DeclaredDomains { get; init; }

    /// <summary>For synthetic batches: the generator as canonical JSON (model, promptTemplateDigest, seed).</summary>
    public string? Generator { get; init; }

    public string? IdempotencyKey { get; init; }
    public required string RequestDigest { get; init; }
    public Guid? ParentBatchId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public long? Count { get; set; }
    public string? Digest { get; set; }
    public long? ContentBytes { get; set; }
    public string? ContentBlob { get; set; }
    public string? IndexBlob { get; set; }
    public DateTimeOffset? ReceivedAt { get; set; }
    public DateTimeOffset? ScannedAt { get; set; }

    /// <summary>Scan progress: examples scanned so far (all of them once <see cref="ScannedAt"/> is set).</summary>
    public long? ScannedExamples { get; set; }

    /// <summary>The signed receipt: due once the content is received.</summary>
    public Attestation Receipt { get; init; } = new();
    public string? AttestationBlob { get; set; }

    /// <summary>For vendor-signed uploads: the exact receipt statement (canonical JSON) prepared before the upload,
    /// the Gateway key pinned to sign it, and when it was prepared.</summary>
    public string? PreparedStatement { get; set; }
    public string? PreparedKeyId { get; set; }
    public DateTimeOffset? PreparedAt { get; set; }

    /// <summary>The vendor's signature over the prepared statement: key id and base64 signature.</summary>
    public string? VendorSignatureKeyId { get; set; }
    public string? VendorSignature { get; set; }

    /// <summary>The signed approval (counter-signature): due once the required approvals are in.</summary>
    public Attestation Approval { get; init; } = new();

    public List<Finding> Findings { get; init; } = [];

    /// <summary>Moves the batch along <paramref name="transition"/>; a batch not in one of its source statuses is a bug
    /// in the caller (endpoints check first and answer with their own problem).</summary>
    public void Apply(BatchTransition transition)
    {
        if (!transition.Allows(Status))
        {
            throw new InvalidOperationException($"Batch {Id} is '{Status}': '{transition.Name}' moves a batch only from {string.Join(", ", transition.From.Select(s => $"'{s}'"))}.");
        }
        Status = transition.To;
    }
    public List<Reviews.Review> Reviews { get; init; } = [];
    public List<Reviews.FindingOverride> Overrides { get; init; } = [];
}

public static class Severity
{
    public const string Info = "info";
    public const string Warn = "warn";
    public const string Block = "block";
}

[Table("findings")]
public sealed class Finding
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BatchId { get; init; }
    public required string Code { get; init; }
    public required string Severity { get; init; }
    public required string Message { get; init; }

    /// <summary>Up to 100 one-based line numbers, space separated.</summary>
    public required string Lines { get; init; }

    /// <summary>What matched, as a JSON array of short strings (masked where the match is personal data).</summary>
    public string? Evidence { get; init; }
}

/// <summary>Where an example digest occurs: the index the scanners and blame look digests up in.</summary>
[Table("example_occurrences")]
[PrimaryKey(nameof(BatchId), nameof(Line))]
[Index(nameof(Digest))]
public sealed class ExampleOccurrence
{
    public Guid BatchId { get; init; }
    public int Line { get; init; }
    public required byte[] Digest { get; init; }
}
