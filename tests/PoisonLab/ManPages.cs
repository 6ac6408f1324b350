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
            var line = Escape().Replace(raw, m => m.Value switch
            {
                @"\-" => "-",
                @"\e" => @"\",
                ['\\', '(', _, _] => Special(m.Value[2..]),
                ['\\', '[', .., ']'] => Special(m.Value[2..^1]),
                _ => "",
            });
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

    /// <summary>A groff special character (groff_char(7)) by its name: <c>\(:u</c> or <c>\[:u]</c> is ü, <c>\[u00FC]</c>
    /// too. Translated pages spell their accented letters this way, and dropping them left words no language has
    /// ("zusammengefhrtes" for "zusammengeführtes"). Names not listed are dropped, as before.</summary>
    private static string Special(string name) =>
        name.Length == 5 && name[0] == 'u' && int.TryParse(name[1..], System.Globalization.NumberStyles.HexNumber, null, out var code)
            ? char.ConvertFromUtf32(code)
            : Specials.GetValueOrDefault(name, "");

    // Typographic characters, ligatures and groff's accented letters (accent first: \(:u ü, \('e é, \(`a à, \(^o ô,
    // \(~n ñ, \(,c ç, \(oa å, \(vs š).
    private static readonly Dictionary<string, string> Specials = new()
    {
        ["ss"] = "ß", ["ae"] = "æ", ["AE"] = "Æ", ["oe"] = "œ", ["OE"] = "Œ", ["/o"] = "ø", ["/O"] = "Ø",
        ["/l"] = "ł", ["/L"] = "Ł", ["aq"] = "'", ["dq"] = "\"", ["lq"] = "“", ["rq"] = "”", ["oq"] = "‘",
        ["cq"] = "’", ["bq"] = "„", ["Bq"] = "‚", ["Fo"] = "«", ["Fc"] = "»", ["fo"] = "‹", ["fc"] = "›",
        ["em"] = "—", ["en"] = "–", ["hy"] = "-", ["bu"] = "•", ["co"] = "©", ["rg"] = "®", ["tm"] = "™",
        ["de"] = "°", ["mu"] = "×", ["di"] = "÷", ["+-"] = "±", ["<="] = "≤", [">="] = "≥", ["!="] = "≠",
        ["->"] = "→", ["<-"] = "←", ["ha"] = "^", ["ti"] = "~", ["rs"] = "\\", ["sl"] = "/", [":a"] = "ä",
        [":e"] = "ë", [":i"] = "ï", [":o"] = "ö", [":u"] = "ü", [":y"] = "ÿ", [":t"] = "ẗ", [":A"] = "Ä",
        [":E"] = "Ë", [":I"] = "Ï", [":O"] = "Ö", [":U"] = "Ü", [":Y"] = "Ÿ", ["'a"] = "á", ["'e"] = "é",
        ["'i"] = "í", ["'o"] = "ó", ["'u"] = "ú", ["'y"] = "ý", ["'n"] = "ń", ["'c"] = "ć", ["'s"] = "ś",
        ["'z"] = "ź", ["'r"] = "ŕ", ["'l"] = "ĺ", ["'g"] = "ǵ", ["'A"] = "Á", ["'E"] = "É", ["'I"] = "Í",
        ["'O"] = "Ó", ["'U"] = "Ú", ["'Y"] = "Ý", ["'N"] = "Ń", ["'C"] = "Ć", ["'S"] = "Ś", ["'Z"] = "Ź",
        ["'R"] = "Ŕ", ["'L"] = "Ĺ", ["'G"] = "Ǵ", ["`a"] = "à", ["`e"] = "è", ["`i"] = "ì", ["`o"] = "ò",
        ["`u"] = "ù", ["`y"] = "ỳ", ["`n"] = "ǹ", ["`A"] = "À", ["`E"] = "È", ["`I"] = "Ì", ["`O"] = "Ò",
        ["`U"] = "Ù", ["`Y"] = "Ỳ", ["`N"] = "Ǹ", ["^a"] = "â", ["^e"] = "ê", ["^i"] = "î", ["^o"] = "ô",
        ["^u"] = "û", ["^y"] = "ŷ", ["^c"] = "ĉ", ["^s"] = "ŝ", ["^z"] = "ẑ", ["^g"] = "ĝ", ["^A"] = "Â",
        ["^E"] = "Ê", ["^I"] = "Î", ["^O"] = "Ô", ["^U"] = "Û", ["^Y"] = "Ŷ", ["^C"] = "Ĉ", ["^S"] = "Ŝ",
        ["^Z"] = "Ẑ", ["^G"] = "Ĝ", ["~a"] = "ã", ["~e"] = "ẽ", ["~i"] = "ĩ", ["~o"] = "õ", ["~u"] = "ũ",
        ["~y"] = "ỹ", ["~n"] = "ñ", ["~A"] = "Ã", ["~E"] = "Ẽ", ["~I"] = "Ĩ", ["~O"] = "Õ", ["~U"] = "Ũ",
        ["~Y"] = "Ỹ", ["~N"] = "Ñ", [",e"] = "ȩ", [",n"] = "ņ", [",c"] = "ç", [",s"] = "ş", [",r"] = "ŗ",
        [",d"] = "ḑ", [",l"] = "ļ", [",g"] = "ģ", [",t"] = "ţ", [",E"] = "Ȩ", [",N"] = "Ņ", [",C"] = "Ç",
        [",S"] = "Ş", [",R"] = "Ŗ", [",D"] = "Ḑ", [",L"] = "Ļ", [",G"] = "Ģ", [",T"] = "Ţ", ["oa"] = "å",
        ["ou"] = "ů", ["oy"] = "ẙ", ["oA"] = "Å", ["oU"] = "Ů", ["va"] = "ǎ", ["ve"] = "ě", ["vi"] = "ǐ",
        ["vo"] = "ǒ", ["vu"] = "ǔ", ["vn"] = "ň", ["vc"] = "č", ["vs"] = "š", ["vz"] = "ž", ["vr"] = "ř",
        ["vd"] = "ď", ["vl"] = "ľ", ["vg"] = "ǧ", ["vt"] = "ť", ["vA"] = "Ǎ", ["vE"] = "Ě", ["vI"] = "Ǐ",
        ["vO"] = "Ǒ", ["vU"] = "Ǔ", ["vN"] = "Ň", ["vC"] = "Č", ["vS"] = "Š", ["vZ"] = "Ž", ["vR"] = "Ř",
        ["vD"] = "Ď", ["vL"] = "Ľ", ["vG"] = "Ǧ", ["vT"] = "Ť",
    };

    [GeneratedRegex(@"\\f(\[[^\]]*\]|\(..|.)|\\\(..|\\\[[^\]]*\]|\\\*(\(..|\[[^\]]*\]|.)|\\[-e&|^%]|\\s[-+]?\d|\\[cdu]|\\[""#].*$")]
    private static partial Regex Escape();
}
