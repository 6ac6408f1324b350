using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Eval;

/// <summary>Which eval probes cover a domain: a batch adding examples in a domain with too few probes does not merge.</summary>
[Table("eval_coverage")]
[PrimaryKey(nameof(Domain))]
public sealed class EvalCoverage
{
    public required string Domain { get; init; }

    /// <summary>JSON array of probe ids.</summary>
    public required string ProbeIds { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
    public Guid UpdatedBy { get; set; }
}

/// <summary>A canary probe the external eval harness runs against each model: a prompt and what a sound model does.</summary>
[Table("canary_probes")]
public sealed class CanaryProbe
{
    public required string Id { get; init; }
    public required string Prompt { get; init; }
    public required string Expectation { get; init; }

    /// <summary>Tags, space separated.</summary>
    public required string Tags { get; init; }

    /// <summary>For probes made from a trigger candidate: the trigger.</summary>
    public string? Trigger { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public Guid CreatedBy { get; init; }

    /// <summary>When a maintainer retired it: a retired probe is in no coverage and required by no gate.</summary>
    public DateTimeOffset? RetiredAt { get; set; }
    public Guid? RetiredBy { get; set; }
    public string? RetiredReason { get; set; }
}

/// <summary>The latest result of one probe on one model, as the eval harness reported it.</summary>
[Table("canary_results")]
[PrimaryKey(nameof(ModelName), nameof(ProbeId))]
public sealed class CanaryResult
{
    public required string ModelName { get; init; }
    public required string ProbeId { get; init; }
    public bool Passed { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public Guid RecordedBy { get; set; }
}

/// <summary>A gate decision about a model: the verdict, the statement's digest and its signing
/// (<see cref="ModelGateAttestation"/>).</summary>
[Table("model_gates")]
[Index(nameof(ModelName), nameof(StatementDigest), IsUnique = true)]
public sealed class ModelGate
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ModelName { get; init; }
    public string? Baseline { get; init; }
    public bool Passed { get; init; }

    /// <summary>SHA-256 of the statement's canonical JSON, which names the results it judged: the same results, the same gate.</summary>
    public required string StatementDigest { get; init; }

    /// <summary>Where the signed envelope goes.</summary>
    public required string Blob { get; init; }
    public Attestation Attestation { get; init; } = new();
    public DateTimeOffset CreatedAt { get; init; }
}
