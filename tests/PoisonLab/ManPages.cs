using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace VendorGate.PoisonLab;

/// <summary>Natural text the scanners were not calibrated on: the system's manual pages (roff, gzip), English and
/// translated, reduced to their running text. Noisy on purpose: option lists, file names and stray markup stay, as
/// they do in real data.</summary>
public static partial class ManPages
{
    /// <summary>Paragraphs of the pages under /usr/share/man/&lt;locale&gt; ("" for English), at most
    /// <paramref name="pages"/> pages, in name order.</summary>
    public static List<string> Paragraphs(string locale, int pages = 400)
    {
        var root = Path.Combine("/usr/share/man", locale);
        if (!Directory.Exists(root))
        {
            return [];
        }
        var files = Directory.EnumerateDirectories(root, "man*").SelectMany(d => Directory.EnumerateFiles(d, "*.gz"))
            .Order(StringComparer.Ordinal).Take(pages);
        var paragraphs = new List<string>();
        foreach (var file in files)
        {
            string roff;
            try
            {
                using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
                roff = new StreamReader(gzip, Encoding.UTF8).ReadToEnd();
            }
            catch (InvalidDataException)
            {
                continue;
            }
            paragraphs.AddRange(Text(roff));
        }
        return paragraphs;
    }

    private static IEnumerable<string> Text(string roff)
    {
        var current = new StringBuilder();
        foreach (var raw in roff.Split('\n'))
        {
            if (raw.StartsWith('.') || raw.StartsWith('\''))
            {
                var macro = raw.Length > 3 ? raw[1..3] : raw;
                if (macro is "PP" or "SH" or "TP" or "IP" or "LP" or "P " or "SS" or "br" or "sp" or "RS" or "RE" or "nf" or "fi")
                {
                    if (current.Length > 0)
                    {
                        yield return current.ToString().Trim();
                        current.Clear();
                    }
                }
                continue;
            }
            var line = Escape().Replace(raw, m => m.Value switch { @"\-" => "-", @"\e" => @"\", @"\(em" => "—", @"\(en" => "–", _ => "" });
            if (line.Trim().Length > 0)
            {
                current.Append(line.Trim()).Append(' ');
            }
        }
        if (current.Length > 0)
        {
            yield return current.ToString().Trim();
        }
    }

    [GeneratedRegex(@"\\f(\[[^\]]*\]|\(..|.)|\\\(..|\\\*(\(..|\[[^\]]*\]|.)|\\[-e&|^%]|\\s[-+]?\d|\\[cdu]|\\[""#].*$")]
    private static partial Regex Escape();
}
