using System.Text;
using System.Text.Json;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Snapshots;

namespace VendorGate.Gateway.Exports;

/// <summary>
/// The export's <c>README.md</c>: a Hugging Face dataset card. Its YAML header is what the Hub and
/// <c>datasets.load_dataset</c> read (licence, the <c>train</c> split's files); its body is what a person reads: the
/// snapshot and its digest, licences, vendors and their annotators, domains, the columns, and how to verify the files.
/// Everything in it comes from the signed snapshot, so exporting again writes the same card.
/// </summary>
public static class DatasetCard
{
    public const string FileName = "README.md";

    public static byte[] Render(SnapshotExport export, ExportSources sources, IReadOnlyList<ExportFile> files)
    {
        var snapshot = sources.Snapshot;
        var summary = JsonSerializer.Deserialize<SnapshotSummary>(snapshot.Summary, JsonSerializerOptions.Web)!;
        var card = new StringBuilder();
        card.Append("---\n");
        card.Append($"license: {HubLicense(summary.ByLicense)}\n");
        card.Append($"pretty_name: VendorGate snapshot {snapshot.Version}\n");
        card.Append("configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n");
        card.Append($"size_categories:\n- {SizeCategory(snapshot.Count)}\n");
        card.Append("tags:\n- vendorgate\n- provenance\n");
        card.Append("---\n\n");
        card.Append($"# VendorGate snapshot {snapshot.Version}\n\n");
        card.Append($"> {snapshot.Message.ReplaceLineEndings(" ")}\n\n");
        card.Append("| | |\n| --- | --- |\n");
        card.Append($"| snapshot | `{snapshot.Version}` (parent `{snapshot.Parent ?? "none"}`) |\n");
        card.Append($"| manifest digest | `{snapshot.ManifestDigest}` |\n");
        card.Append($"| snapshot statement | `{snapshot.Attestation.Digest}` signed by `{snapshot.Attestation.KeyId}` |\n");
        card.Append($"| examples | {snapshot.Count:N0} in {files.Count} file(s) |\n");
        card.Append($"| cut | {Clock.Timestamp(snapshot.CreatedAt)} |\n");
        card.Append($"| export | `{export.Id}` |\n\n");

        card.Append("## Licences\n\n| licence | examples |\n| --- | ---: |\n");
        foreach (var (license, n) in Positive(summary.ByLicense))
        {
            card.Append($"| `{license}` | {n:N0} |\n");
        }

        card.Append("\n## Vendors\n\nEvery row names the annotator who submitted it (`annotator_id`, `annotator_handle`) and their vendor.\n\n");
        card.Append("| vendor | annotators | examples |\n| --- | ---: | ---: |\n");
        var vendorOf = sources.Provenance.Values.GroupBy(p => p.AnnotatorId).ToDictionary(g => g.Key.ToString(), g => g.First());
        var annotators = Positive(summary.ByAnnotator).GroupBy(a => vendorOf.TryGetValue(a.Key, out var p) ? p.VendorId?.ToString() ?? "internal" : "internal")
            .ToDictionary(g => g.Key, g => g.Count());
        var names = sources.Provenance.Values.Where(p => p.VendorId is not null).GroupBy(p => p.VendorId!.Value.ToString())
            .ToDictionary(g => g.Key, g => g.First().VendorName!);
        foreach (var (vendor, n) in Positive(summary.ByVendor))
        {
            var name = vendor == "internal" ? "internal and synthetic (ours)" : names.GetValueOrDefault(vendor, vendor);
            card.Append($"| {Cell(name)} | {annotators.GetValueOrDefault(vendor)} | {n:N0} |\n");
        }

        card.Append("\n## Domains\n\n| domain | examples |\n| --- | ---: |\n");
        foreach (var (domain, n) in Positive(summary.ByDomain))
        {
            card.Append($"| {Cell(domain)} | {n:N0} |\n");
        }

        card.Append("\n## Files\n\n| file | rows | bytes | sha256 |\n| --- | ---: | ---: | --- |\n");
        foreach (var file in files)
        {
            card.Append($"| `{file.Name}` | {file.Rows:N0} | {file.Size:N0} | `{file.Sha256}` |\n");
        }

        card.Append("\n## Columns\n\n| column | type | meaning |\n| --- | --- | --- |\n");
        foreach (var (name, type, meaning) in ExportSchema.Columns)
        {
            card.Append($"| `{name}` | {type} | {meaning} |\n");
        }

        card.Append($"""

            ## How to verify

            The Gateway signs a statement whose subjects are these files and their SHA-256 digests. With the Gateway's
            public keys (`GET /.well-known/vendorgate/keys`) and the statement, as a DSSE envelope or a Sigstore bundle:

            ```bash
            curl -fsS -H "Authorization: Bearer $KEY" "$GATEWAY/v1/exports/{export.Id}/attestation?format=sigstore" > export.sigstore.json
            curl -fsS "$GATEWAY/.well-known/vendorgate/keys" > keys.json
            vendorgate-verify file data/train-00000-of-{files.Count:D5}.parquet export.sigstore.json --keys keys.json
            ```

            Each row's provenance is the Gateway's blame for that example:
            `GET /v1/snapshots/{snapshot.Version}/examples/<index>`.

            """);
        return Encoding.UTF8.GetBytes(card.ToString());
    }

    /// <summary>The Hub's licence identifier: the one SPDX licence of every example, lower-cased (<c>cc-by-4.0</c>,
    /// <c>apache-2.0</c>); <c>other</c> for several or for an expression (the table below lists them).</summary>
    private static string HubLicense(IReadOnlyDictionary<string, long> byLicense)
    {
        var used = Positive(byLicense).Select(l => l.Key).ToList();
        return used is [var one] && one.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-') ? one.ToLowerInvariant() : "other";
    }

    private static string SizeCategory(long n) => n switch
    {
        < 1_000 => "n<1K",
        < 10_000 => "1K<n<10K",
        < 100_000 => "10K<n<100K",
        < 1_000_000 => "100K<n<1M",
        < 10_000_000 => "1M<n<10M",
        < 100_000_000 => "10M<n<100M",
        _ => "100M<n<1B",
    };

    private static IEnumerable<KeyValuePair<string, long>> Positive(IReadOnlyDictionary<string, long> counts) =>
        counts.Where(c => c.Value > 0).OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal);

    /// <summary>A name in a table cell: pipes and line breaks would break the table.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|").ReplaceLineEndings(" ");
}
