using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VendorGate.Attest.Canonical;
using VendorGate.Attest.Digests;

namespace VendorGate.Verify;

/// <summary>Rebuilds a snapshot's manifest digest from its NDJSON form, and checks a content file against it.</summary>
internal static class SnapshotFiles
{
    /// <summary>The manifest digest and the example digests in order. The digest is rebuilt in the snapshot's format:
    /// the root of the chunk tree (VGT1, every snapshot since manifest trees) or the SHA-256 of the flat blob (VGM1).</summary>
    public static async Task<(byte[] Digest, List<byte[]> Digests)> ReadManifestAsync(FileInfo file, IReadOnlyList<string> domainTable, string format,
        CancellationToken ct)
    {
        if (format is not (ManifestTree.Format or SnapshotManifest.Format))
        {
            throw new FormatException($"the statement names manifest format '{format}'; this verifier knows {ManifestTree.Format} and {SnapshotManifest.Format}");
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(SnapshotManifest.Header());
        var tree = new ManifestTreeWriter();
        var digests = new List<byte[]>();
        var record = new byte[SnapshotManifest.RecordSize];
        using var reader = file.OpenText();
        long number = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            number++;
            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            if (!BatchDigest.TryParse(root.GetProperty("digest").GetString(), out var digest))
            {
                throw new FormatException($"manifest line {number}: bad digest");
            }
            var domain = root.TryGetProperty("domain", out var d) && d.ValueKind == JsonValueKind.String ? IndexOf(domainTable, d.GetString()!, number) : -1;
            var parsed = new ManifestRecord(digest, root.GetProperty("batchId").GetGuid(), root.GetProperty("annotatorId").GetGuid(),
                root.GetProperty("line").GetInt32(), domain);
            if (format == ManifestTree.Format)
            {
                await tree.AddAsync(parsed, ct);
            }
            else
            {
                SnapshotManifest.Write(parsed, record);
                hash.AppendData(record);
            }
            digests.Add(digest);
        }
        return (format == ManifestTree.Format ? await tree.FinishAsync(ct) : hash.GetHashAndReset(), digests);
    }

    private static int IndexOf(IReadOnlyList<string> table, string domain, long line)
    {
        for (var i = 0; i < table.Count; i++)
        {
            if (table[i] == domain)
            {
                return i;
            }
        }
        throw new FormatException($"manifest line {line}: domain '{domain}' is not in the signed domain table");
    }

    /// <summary>Null when every line of the content hashes (canonically) to the manifest's digest at its index.</summary>
    public static async Task<string?> CheckContentAsync(FileInfo file, List<byte[]> digests, CancellationToken ct)
    {
        using var reader = new StreamReader(file.OpenRead(), new UTF8Encoding(false, throwOnInvalidBytes: true));
        var buffer = new CanonicalJsonBuffer();
        var index = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (index >= digests.Count)
            {
                return $"the content has more lines than the manifest's {digests.Count}";
            }
            buffer.Clear();
            JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(line), buffer);
            if (!SHA256.HashData(buffer.WrittenSpan).AsSpan().SequenceEqual(digests[index]))
            {
                return $"line {index + 1} is not example {index} of the manifest";
            }
            index++;
        }
        return index == digests.Count ? null : $"the content has {index} lines, the manifest {digests.Count}";
    }
}
