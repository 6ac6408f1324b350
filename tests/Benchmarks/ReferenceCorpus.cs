using System.Text;

namespace VendorGate.Benchmarks;

/// <summary>The reference corpus of the performance targets: n distinct examples, ~625 bytes a line, 5 domains,
/// generated deterministically so every run measures the same bytes.</summary>
public static class ReferenceCorpus
{
    public static readonly string[] Domains = ["billing", "medical", "legal", "coding", "travel"];

    private static readonly string[] Words =
    [
        "account", "invoice", "refund", "policy", "patient", "dosage", "contract", "clause", "function", "compile",
        "flight", "booking", "please", "explain", "the", "a", "of", "to", "and", "with", "for", "customer", "request",
        "error", "payment", "schedule", "appointment", "liability", "variable", "itinerary", "summary", "details",
    ];

    public static string Ensure(string path, int count, int seed = 20261125)
    {
        var marker = path + ".complete";
        if (File.Exists(path) && File.Exists(marker) && File.ReadAllText(marker) == count.ToString())
        {
            return path;
        }
        var random = new Random(seed);
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20))
        {
            var line = new StringBuilder(700);
            for (var i = 0; i < count; i++)
            {
                line.Clear();
                line.Append("{\"prompt\":\"").Append("Request ").Append(seed).Append('-').Append(i).Append(": ");
                AppendWords(line, random, 34);
                line.Append("\",\"completion\":\"");
                AppendWords(line, random, 38);
                line.Append("\",\"domain\":\"").Append(Domains[i % Domains.Length]).Append("\",\"metadata\":{\"source_id\":")
                    .Append(i).Append(",\"quality\":").Append(random.Next(1, 6)).Append("}}\n");
                writer.Write(line);
            }
        }
        File.WriteAllText(marker, count.ToString());
        return path;
    }

    private static void AppendWords(StringBuilder line, Random random, int n)
    {
        for (var w = 0; w < n; w++)
        {
            if (w > 0)
            {
                line.Append(' ');
            }
            line.Append(Words[random.Next(Words.Length)]);
        }
        line.Append('.');
    }
}
