using System.ComponentModel.DataAnnotations.Schema;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using VendorGate.Attest.Digests;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

public static class SignatureKinds
{
    public const string Regex = "regex";
    public const string Digest = "digest";
}

/// <summary>A pattern or example digest from a prior incident, managed by security. A match blocks and names the incident.</summary>
[Table("known_bad_signatures")]
public sealed class KnownBadSignature
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Incident { get; init; }
    public required string Kind { get; init; }

    /// <summary>A .NET regular expression, or an example digest (64 lowercase hex).</summary>
    public required string Pattern { get; init; }

    public string? Note { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public Guid CreatedBy { get; init; }
    public DateTimeOffset? RetiredAt { get; set; }
    public Guid? RetiredBy { get; set; }

    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Case-insensitive, culture-invariant, with a match timeout so a pathological pattern cannot stall a scan.</summary>
    public static Regex Compile(string pattern) =>
        new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout);
}

/// <summary>Known-bad signatures: every active regex on every text field, every active digest against the batch's examples.</summary>
public sealed class KnownBadScanner : IExampleScanner, IBatchScanner
{
    public static readonly FindingKind Kind = new("known-bad", Severity.Block, "examples matching known-bad signatures from prior incidents");

    private List<(KnownBadSignature Signature, Regex Regex)> _patterns = [];
    private List<KnownBadSignature> _digests = [];
    private readonly ConcurrentDictionary<long, (string Incident, string Evidence)> _matches = new();

    public IReadOnlyList<FindingKind> Kinds => [Kind];

    public async ValueTask PrepareAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var active = await context.Reads.KnownBadSignatures.Where(s => s.RetiredAt == null).ToListAsync(cancellationToken);
        _patterns = active.Where(s => s.Kind == SignatureKinds.Regex).OrderBy(s => s.Id).Select(s => (s, KnownBadSignature.Compile(s.Pattern))).ToList();
        _digests = active.Where(s => s.Kind == SignatureKinds.Digest).ToList();
    }

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        foreach (var (signature, regex) in _patterns)
        {
            foreach (var field in example.Fields)
            {
                Match match;
                try
                {
                    match = regex.Match(field.Text);
                }
                catch (RegexMatchTimeoutException)
                {
                    continue; // a pattern too slow for this text is not a match; the scan goes on
                }
                if (match.Success)
                {
                    _matches.TryAdd(example.Line, (signature.Incident, $"line {example.Line}: incident {signature.Incident}, pattern /{signature.Pattern}/ matched \"{TextModel.Excerpt(field.Text, match.Index, Math.Min(match.Length, 80))}\""));
                    return;
                }
            }
        }
    }

    public void WriteState(int pass, BinaryWriter writer)
    {
        if (pass == 1)
        {
            var matches = _matches.ToArray();
            writer.Write(matches.Length);
            foreach (var (line, (incident, evidence)) in matches)
            {
                writer.Write(line);
                writer.Write(incident);
                writer.Write(evidence);
            }
        }
    }

    public void MergeState(int pass, BinaryReader reader)
    {
        if (pass == 1)
        {
            for (var n = reader.ReadInt32(); n > 0; n--)
            {
                _matches.TryAdd(reader.ReadInt64(), (reader.ReadString(), reader.ReadString()));
            }
        }
    }

    public Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var byDigest = _digests.GroupBy(d => d.Pattern).ToDictionary(g => g.Key, g => g.First());
        if (byDigest.Count > 0)
        {
            for (var line = 0; line < context.Count; line++)
            {
                if (byDigest.TryGetValue(BatchDigest.Format(context.DigestAt(line)), out var signature))
                {
                    _matches.TryAdd(line + 1L, (signature.Incident, $"line {line + 1}: incident {signature.Incident}, example digest {signature.Pattern}"));
                }
            }
        }
        if (_matches.IsEmpty)
        {
            return Task.FromResult<IReadOnlyList<ScanFinding>>([]);
        }
        var lines = _matches.Keys.Order().ToList();
        var incidents = _matches.Values.Select(m => m.Incident).Distinct().Order(StringComparer.Ordinal).ToList();
        IReadOnlyList<ScanFinding> findings =
        [
            new ScanFinding(Kind.Code, Kind.Severity,
                $"{lines.Count} example(s) match known-bad signatures of incident(s) {string.Join(", ", incidents)}; the first at line {lines[0]}.",
                lines.Take(BatchScanContext.MaxLinesPerFinding).ToList(), lines.Take(ExampleHits.MaxEvidence).Select(l => _matches[l].Evidence).ToList()),
        ];
        return Task.FromResult(findings);
    }
}
