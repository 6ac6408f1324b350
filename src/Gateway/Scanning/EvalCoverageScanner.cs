using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

public sealed class EvalCoverageOptions
{
    public const string Section = "VendorGate:Scan:EvalCoverage";

    /// <summary>Eval probes a domain needs before examples in it can merge (0 turns the gate off).</summary>
    public int MinProbes { get; set; } = 1;
}

/// <summary>The eval coverage gate: every domain the batch adds examples in (a line's <c>domain</c>, or each declared
/// domain for lines without one) must be covered by at least <see cref="EvalCoverageOptions.MinProbes"/> eval probes.</summary>
public sealed class EvalCoverageScanner(IOptions<EvalCoverageOptions> options) : IExampleScanner, IBatchScanner
{
    public const string Code = "eval-coverage";

    private readonly ConcurrentDictionary<string, int> _domains = new(StringComparer.Ordinal);
    private int _undomained;

    public IReadOnlyList<FindingKind> Kinds => [];

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        if (example.Domain is { } domain)
        {
            _domains.AddOrUpdate(domain, 1, (_, n) => n + 1);
        }
        else
        {
            Interlocked.Increment(ref _undomained);
        }
    }

    public void WriteState(int pass, BinaryWriter writer)
    {
        if (pass == 1)
        {
            ShardState.Write(writer, _domains, (w, domain) => w.Write(domain));
            writer.Write(_undomained);
        }
    }

    public void MergeState(int pass, BinaryReader reader)
    {
        if (pass == 1)
        {
            ShardState.Merge(reader, _domains, r => r.ReadString());
            _undomained += reader.ReadInt32();
        }
    }

    public async Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var required = options.Value.MinProbes;
        if (required <= 0)
        {
            return [];
        }
        var domains = _undomained > 0 ? _domains.Keys.Union(context.DeclaredDomains).ToList() : _domains.Keys.ToList();
        var coverage = await context.Reads.EvalCoverage.Where(c => domains.Contains(c.Domain))
            .ToDictionaryAsync(c => c.Domain, c => JsonSerializer.Deserialize<string[]>(c.ProbeIds)!.Length, cancellationToken);
        var short_ = domains.Where(d => coverage.GetValueOrDefault(d) < required).Order(StringComparer.Ordinal).ToList();
        if (short_.Count == 0)
        {
            return [];
        }
        return
        [
            new ScanFinding(Code, Severity.Block,
                $"{short_.Count} domain(s) lack eval coverage: {string.Join(", ", short_.Select(d => $"'{d}' needs {required - coverage.GetValueOrDefault(d)} more probe(s)"))}. "
                + "A maintainer maps probes with PUT /v1/eval/coverage/{domain}; then scan again or override.",
                [], short_.Select(d => $"{d}: {coverage.GetValueOrDefault(d)} of {required} probe(s)").ToList()),
        ];
    }
}
