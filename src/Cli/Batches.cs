using Spectre.Console;
using VendorGate.Client;

namespace VendorGate.Cli;

/// <summary>Polls a batch until a condition holds (or the time is up), showing each change of status on stderr.</summary>
public static class Watch
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <exception cref="TimeoutException">The condition did not hold in time; says what the batch last was.</exception>
    public static async Task<BatchView> UntilAsync(VendorGateClient client, Guid batchId, Func<BatchView, bool> done, TimeSpan timeout, CancellationToken ct,
        Action<BatchView>? changed = null)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        string? last = null;
        while (true)
        {
            var batch = await client.GetBatchAsync(batchId, ct);
            var now = $"{batch.Status} {batch.Scan?.Scanned}/{batch.Scan?.Total} {batch.Attestation?.State}";
            if (now != last)
            {
                changed?.Invoke(batch);
                last = now;
            }
            if (done(batch))
            {
                return batch;
            }
            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new TimeoutException($"Batch {batchId} is still '{batch.Status}' after {timeout.TotalSeconds:0} s.");
            }
            await Task.Delay(Interval, ct);
        }
    }
}

/// <summary><c>vendorgate status</c>, <c>batches</c> and <c>findings</c>: a batch through scanning and review.</summary>
public static class Batches
{
    /// <summary>Statuses where the batch waits for a person or has ended: scanning is over.</summary>
    private static readonly string[] Scanned = ["quarantined", "in-review", "approved", "merged", "rejected", "revoked"];

    /// <summary>Statuses where a decision has been made.</summary>
    private static readonly string[] Decided = ["approved", "merged", "rejected", "revoked"];

    /// <summary>Statuses that mean "not accepted" (exit 1).</summary>
    private static readonly string[] NotAccepted = ["quarantined", "rejected", "revoked"];

    public static async Task<int> StatusAsync(Shell shell, Profile profile, Guid batchId, string? until, TimeSpan timeout, CancellationToken ct)
    {
        var client = Shell.Connect(profile);
        var batch = until is null
            ? await client.GetBatchAsync(batchId, ct)
            : await Watch.UntilAsync(client, batchId, b => (until == "decided" ? Decided : Scanned).Contains(b.Status), timeout, ct,
                b => shell.Progress($"{b.Status}{(b.Scan is { } scan ? $" (scanned {scan.Scanned} of {scan.Total})" : "")}"));
        shell.Result(batch, console =>
        {
            console.WriteLine($"batch    {batch.Id}");
            console.WriteLine($"status   {batch.Status}");
            console.WriteLine($"examples {batch.Count?.ToString() ?? "-"}");
            console.WriteLine($"digest   {batch.Digest ?? "-"}");
            console.WriteLine($"receipt  {batch.Attestation?.State ?? "-"}");
            foreach (var review in batch.Reviews)
            {
                console.WriteLine($"review   {review.Decision} by {review.Reviewer}: {review.Comment}");
            }
            FindingsTable(console, batch.Findings);
        });
        return until is not null && NotAccepted.Contains(batch.Status) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    public static async Task<int> FindingsAsync(Shell shell, Profile profile, Guid batchId, CancellationToken ct)
    {
        var batch = await Shell.Connect(profile).GetBatchAsync(batchId, ct);
        shell.Result(batch.Findings, console => FindingsTable(console, batch.Findings));
        return ExitCodes.Ok;
    }

    public static async Task<int> ListAsync(Shell shell, Profile profile, string? status, int limit, CancellationToken ct)
    {
        var batches = await Shell.Connect(profile).ListBatchesAsync(status, ct: ct).Take(limit).ToListAsync(ct);
        shell.Result(batches.Select(b => new { b.Id, b.Status, b.Count, b.Digest, submitter = b.Submitter.Handle, b.CreatedAt, findings = b.Findings.Count }), console =>
        {
            var table = new Table().AddColumns("batch", "status", "examples", "submitter", "created", "findings");
            foreach (var b in batches)
            {
                table.AddRow(b.Id.ToString(), b.Status, b.Count?.ToString() ?? "-", Markup.Escape(b.Submitter.Handle), b.CreatedAt.ToString("u"), b.Findings.Count.ToString());
            }
            console.Write(table);
        });
        return ExitCodes.Ok;
    }

    private static void FindingsTable(IAnsiConsole console, IReadOnlyList<FindingView> findings)
    {
        if (findings.Count == 0)
        {
            console.WriteLine("findings none");
            return;
        }
        var table = new Table().AddColumns("severity", "code", "message", "lines");
        foreach (var f in findings)
        {
            table.AddRow(f.Severity, f.Code, Markup.Escape(f.Message), string.Join(", ", f.Lines.Take(10)) + (f.Lines.Count > 10 ? ", …" : ""));
        }
        console.Write(table);
    }
}
