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

    /// <summary>The adversarial variant (issue 17): the same shape, its words drawn from 5,000 random letter strings of 3-10
    /// letters, a vocabulary no language shares (word salad of made-up words throughout).</summary>
    public static string EnsureAdversarial(string path, int count, int seed = 20261204)
    {
        var random = new Random(seed);
        var vocabulary = Enumerable.Range(0, 5_000)
            .Select(_ => new string(Enumerable.Range(0, random.Next(3, 11)).Select(_ => (char)('a' + random.Next(26))).ToArray())).ToArray();
        return Ensure(path, count, seed, vocabulary);
    }

    /// <summary>The realistic variant (issue 17): examples drawn in turn from the poison lab's clean sets (English prose
    /// from two sources, code in seven languages, thirteen other languages, chat transcripts, markdown tables, maths,
    /// base64- and hex-heavy text), built from this machine's text, each tagged with one of the five domains. Their
    /// vocabulary is that of real text: tens of thousands of distinct words, most of them rare.</summary>
    public static string EnsureRealistic(string path, int count, int seed = 20261205) => Ensure(path, count, writer =>
    {
        var random = new Random(seed);
        var sets = new PoisonLab.CleanSets(PoisonLab.Corpora.Shared).All;
        for (var i = 0; i < count; i++)
        {
            var example = sets[i % sets.Count].Example(random);
            writer.Write(example.AsSpan(0, example.LastIndexOf('}')));
            writer.Write($",\"domain\":\"{Domains[i % Domains.Length]}\"}}\n");
        }
    });

    public static string Ensure(string path, int count, int seed = 20261125) => Ensure(path, count, seed, Words);

    private static string Ensure(string path, int count, int seed, string[] words) => Ensure(path, count, writer =>
    {
        var random = new Random(seed);
        var line = new StringBuilder(700);
        for (var i = 0; i < count; i++)
        {
            line.Clear();
            line.Append("{\"prompt\":\"").Append("Request ").Append(seed).Append('-').Append(i).Append(": ");
            AppendWords(line, random, words, 34);
            line.Append("\",\"completion\":\"");
            AppendWords(line, random, words, 38);
            line.Append("\",\"domain\":\"").Append(Domains[i % Domains.Length]).Append("\",\"metadata\":{\"source_id\":")
                .Append(i).Append(",\"quality\":").Append(random.Next(1, 6)).Append("}}\n");
            writer.Write(line);
        }
    });

    /// <summary>The corpus at <paramref name="path"/>, written by <paramref name="write"/> unless a complete one of
    /// <paramref name="count"/> examples is there already.</summary>
    private static string Ensure(string path, int count, Action<StreamWriter> write)
    {
        var marker = path + ".complete";
        if (File.Exists(path) && File.Exists(marker) && File.ReadAllText(marker) == count.ToString())
        {
            return path;
        }
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20))
        {
            write(writer);
        }
        File.WriteAllText(marker, count.ToString());
        return path;
    }

    private static void AppendWords(StringBuilder line, Random random, string[] words, int n)
    {
        for (var w = 0; w < n; w++)
        {
            if (w > 0)
            {
                line.Append(' ');
            }
            line.Append(words[random.Next(words.Length)]);
        }
        line.Append('.');
    }
}
