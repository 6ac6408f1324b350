using System.Text.Json;
using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Batches;

public sealed record SubmitterView(Guid Id, string Handle);

public sealed record FindingView(string Code, string Severity, string Message, long[] Lines, string[] Evidence);

/// <summary>Scan progress: examples scanned of the batch's total.</summary>
public sealed record ScanProgressView(long Scanned, long Total);

public sealed record BatchView(
    Guid Id, string Status, Guid? VendorId, SubmitterView Submitter, string Justification, string License, string Source,
    string[] DeclaredDomains, SyntheticGenerator? Generator, Guid? ParentBatchId, string? IdempotencyKey,
    long? Count, string? Digest, long? ContentBytes, DateTimeOffset CreatedAt, DateTimeOffset? ReceivedAt, DateTimeOffset? ScannedAt,
    ScanProgressView? Scan,
    IReadOnlyList<FindingView> Findings, IReadOnlyList<Reviews.ReviewView> Reviews, IReadOnlyList<Reviews.OverrideView> Overrides,
    AttestationView? Attestation, AttestationView? Approval)
{
    public static BatchView Of(Batch b, string submitterHandle) => new(
        b.Id, b.Status, b.VendorId, new SubmitterView(b.SubmitterId, submitterHandle), b.Justification, b.License, b.Source,
        b.DeclaredDomains.Split(' '), b.Generator is null ? null : JsonSerializer.Deserialize<SyntheticGenerator>(b.Generator, JsonSerializerOptions.Web),
        b.ParentBatchId, b.IdempotencyKey, b.Count, b.Digest, b.ContentBytes, b.CreatedAt, b.ReceivedAt, b.ScannedAt,
        b.Count is { } total && b.Status != BatchStatus.Open ? new ScanProgressView(b.ScannedExamples ?? 0, total) : null,
        b.Findings.OrderBy(f => f.Code).Select(f => new FindingView(f.Code, f.Severity, f.Message,
            f.Lines.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray(),
            f.Evidence is null ? [] : JsonSerializer.Deserialize<string[]>(f.Evidence)!)).ToList(),
        b.Reviews.OrderBy(r => r.At).Select(VendorGate.Gateway.Reviews.ReviewView.Of).ToList(),
        b.Overrides.OrderBy(o => o.At).Select(VendorGate.Gateway.Reviews.OverrideView.Of).ToList(),
        b.Receipt.View(), b.Approval.View());
}

public sealed record UploadReceipt(Guid Id, string Status, long Count, string Digest);

public sealed record ExampleView(long Index, string Digest, JsonElement Example);

public sealed record ExamplesPage(long Offset, int Limit, long Count, IReadOnlyList<ExampleView> Items);
