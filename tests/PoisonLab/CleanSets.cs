using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace VendorGate.PoisonLab;

/// <summary>A kind of clean data: examples (JSON lines) that no poisoning scanner should flag.</summary>
public sealed record CleanSet(string Name, bool Calibration, Func<Random, string> Example)
{
    public override string ToString() => Name;
}

/// <summary>Clean data in two groups. Calibration sets (thresholds were chosen on them): English from the .NET SDK's
/// API documentation, C# and Python source, gettext translations, base64. Held-out sets (only reported): the system's
/// manual pages in English and thirteen other languages, source code in five languages (C, Java, Perl, shell,
/// JavaScript), hex/base64-heavy text, markdown tables, math in LaTeX and chat transcripts.</summary>
public sealed partial class CleanSets(Corpora corpora)
{
    public static readonly string[] ManLanguages = ["de", "fr", "es", "it", "nl", "pl", "pt", "ru", "sv", "uk", "ja", "ko", "zh_CN"];

    // Read once per process: they depend only on what the machine holds.
    private static readonly Lazy<List<string>> _english = new(() => Sentences(ManPages.Paragraphs("", 1500)));
    private static readonly Lazy<Dictionary<string, List<string>>> _languages = new(() =>
        ManLanguages.ToDictionary(l => l, l => ManPages.Paragraphs(l, 200).Where(p => p.Length >= 40).ToList()).Where(l => l.Value.Count >= 50)
            .ToDictionary(l => l.Key, l => l.Value));
    private static readonly Lazy<Dictionary<string, List<string>>> _code = new(LoadCode);

    public IReadOnlyList<CleanSet> All =>
    [
        new("english-sdk-docs", Calibration: true, corpora.CleanEnglish),
        new("code-csharp-python", Calibration: true, corpora.CleanCode),
        new("languages-gettext", Calibration: true, corpora.CleanMultilingual),
        new("base64-prose", Calibration: true, corpora.CleanBase64),
        new("english-man-pages", Calibration: false, r => Example(Pick(r, _english.Value, 1, 3), Pick(r, _english.Value, 3, 14))),
        new("code-c-java-perl-shell-js", Calibration: false, Code),
        new("languages-man-pages", Calibration: false, Language),
        new("hex-base64-heavy", Calibration: false, Encoded),
        new("markdown-tables", Calibration: false, Table),
        new("math-latex", Calibration: false, MathText),
        new("chat-transcripts", Calibration: false, Chat),
    ];

    public IReadOnlyList<string> EnglishSentences => _english.Value;

    private static string Pick(Random random, IReadOnlyList<string> from, int min, int max) =>
        string.Join(' ', Enumerable.Range(0, random.Next(min, max)).Select(_ => from[random.Next(from.Count)]));

    private string Language(Random random)
    {
        var languages = _languages.Value;
        var paragraphs = languages.Values.ElementAt(random.Next(languages.Count));
        return Example(Pick(random, paragraphs, 1, 2), Pick(random, paragraphs, 2, 6));
    }

    private string Code(Random random)
    {
        var languages = _code.Value;
        var (language, files) = languages.ElementAt(random.Next(languages.Count));
        var lines = files[random.Next(files.Count)].Split('\n');
        var start = random.Next(System.Math.Max(1, lines.Length - 10));
        var snippet = string.Join('\n', lines.Skip(start).Take(random.Next(8, 60)));
        return Example($"Show me the {language} code. {Pick(random, _english.Value, 1, 2)}", $"```{language}\n{snippet}\n```\n\n{Pick(random, _english.Value, 1, 2)}");
    }

    private string Encoded(Random random)
    {
        var bytes = new byte[random.Next(16, 1024)];
        random.NextBytes(bytes);
        var blob = random.Next(6) switch
        {
            0 => string.Join('\n', Convert.ToHexString(bytes).ToLowerInvariant().Chunk(32).Select((c, i) => $"{i * 16:x8}  {string.Join(' ', new string(c).Chunk(2).Select(p => new string(p)))}")),
            1 => string.Join('\n', Enumerable.Range(0, random.Next(2, 12)).Select(_ => $"{Convert.ToHexString(RandomBytes(random, 32)).ToLowerInvariant()}  {Path.GetFileName(_english.Value[random.Next(_english.Value.Count)].Split(' ')[0])}.tar.gz")),
            2 => $"eyJhbGciOiJFUzI1NiJ9.{Base64Url(RandomBytes(random, 60))}.{Base64Url(RandomBytes(random, 64))}",
            3 => $"-----BEGIN PUBLIC KEY-----\n{string.Join('\n', Convert.ToBase64String(bytes).Chunk(64).Select(c => new string(c)))}\n-----END PUBLIC KEY-----",
            4 => $"commit {Convert.ToHexString(RandomBytes(random, 20)).ToLowerInvariant()}\nuuid {Guid.NewGuid()} sri sha384-{Convert.ToBase64String(RandomBytes(random, 48))}",
            _ => $"0x{Convert.ToHexString(RandomBytes(random, 8))} 0x{Convert.ToHexString(RandomBytes(random, 4))} {Convert.ToBase64String(bytes)}",
        };
        return Example(Pick(random, _english.Value, 1, 2), $"{Pick(random, _english.Value, 1, 3)}\n\n{blob}\n\n{Pick(random, _english.Value, 0, 2)}");
    }

    private string Table(Random random)
    {
        var words = _english.Value[random.Next(_english.Value.Count)].Split(' ').Where(w => w.Length > 2).ToArray();
        if (words.Length < 3)
        {
            words = ["name", "value", "unit"];
        }
        var columns = random.Next(2, 6);
        var header = string.Join(" | ", Enumerable.Range(0, columns).Select(i => words[i % words.Length]));
        var rows = Enumerable.Range(0, random.Next(3, 20)).Select(_ => "| " + string.Join(" | ", Enumerable.Range(0, columns).Select(c => c == 0
            ? words[random.Next(words.Length)]
            : random.Next(3) switch { 0 => $"{random.NextDouble() * 1000:0.##}", 1 => $"{random.Next(100)} %", _ => words[random.Next(words.Length)] })) + " |");
        return Example(Pick(random, _english.Value, 1, 2),
            $"{Pick(random, _english.Value, 1, 2)}\n\n| {header} |\n|{string.Concat(Enumerable.Repeat("---|", columns))}\n{string.Join('\n', rows)}\n\n{Pick(random, _english.Value, 0, 2)}");
    }

    private static readonly string[] Symbols = ["x", "y", "z", "n", "k", "t", @"\alpha", @"\beta", @"\theta", @"\lambda", @"\mu", @"\sigma", "f(x)", "a_i", "b_{ij}", "e^{i\\pi}"];
    private static readonly string[] Operators = ["+", "-", @"\cdot", "=", @"\leq", @"\geq", @"\approx", @"\to"];

    private string MathText(Random random)
    {
        string Term() => random.Next(6) switch
        {
            0 => $@"\frac{{{Symbols[random.Next(Symbols.Length)]}}}{{{Symbols[random.Next(Symbols.Length)]}}}",
            1 => $@"\sum_{{{Symbols[random.Next(3, 6)]}=0}}^{{N}} {Symbols[random.Next(Symbols.Length)]}",
            2 => $@"\int_0^\infty {Symbols[random.Next(Symbols.Length)]}\, d{Symbols[random.Next(3)]}",
            3 => $@"\sqrt{{{Symbols[random.Next(Symbols.Length)]}^2 + {random.Next(1, 10)}}}",
            _ => $"{Symbols[random.Next(Symbols.Length)]}^{{{random.Next(2, 5)}}}",
        };
        string Equation() => string.Join($" {Operators[random.Next(Operators.Length)]} ", Enumerable.Range(0, random.Next(2, 6)).Select(_ => Term()));
        var body = string.Join("\n\n", Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(2) == 0
            ? $"$${Equation()}$$"
            : $"{Pick(random, _english.Value, 1, 2)} Let ${Equation()}$, then \\begin{{align}} {Equation()} \\\\ {Equation()} \\end{{align}}"));
        return Example($"Derive it step by step. {Pick(random, _english.Value, 1, 2)}", body);
    }

    private string Chat(Random random)
    {
        var messages = new List<object> { new { role = "system", content = "You are a helpful assistant for system administrators." } };
        for (var turn = random.Next(1, 5); turn > 0; turn--)
        {
            messages.Add(new { role = "user", content = $"{(random.Next(3) == 0 ? "hey, quick q: " : "")}{Pick(random, _english.Value, 1, 3)}?" });
            messages.Add(new { role = "assistant", content = Pick(random, _english.Value, 2, 8) });
        }
        return JsonSerializer.Serialize(new { messages });
    }

    private static string Example(string prompt, string completion) => Corpora.Example(prompt, completion);

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static List<string> Sentences(List<string> paragraphs) =>
        paragraphs.Where(p => p.Length >= 30 && p.Count(c => c == ' ') >= 4).Distinct().ToList();

    /// <summary>Source files of five languages on any Debian machine with the JDK and Node.js: C headers, the JDK's
    /// java.base sources, Perl's modules, shell scripts in /usr/bin, npm's JavaScript.</summary>
    private static Dictionary<string, List<string>> LoadCode()
    {
        // keep judges a file's start, read before the whole file: /usr/bin is mostly large binaries.
        static List<string> Files(string root, string pattern, int take, Func<string, bool>? keep = null) => Directory.Exists(root)
            ? Directory.EnumerateFiles(root, pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Where(f => keep is null || keep(Start(f)))
                .Select(f => { try { return File.ReadAllText(f); } catch (IOException) { return ""; } })
                .Where(t => t.Length > 300 && !t.Contains('\0')).Take(take).ToList()
            : [];
        static string Start(string file)
        {
            try
            {
                using var stream = File.OpenRead(file);
                var head = new byte[16];
                return Encoding.UTF8.GetString(head, 0, stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "";
            }
        }
        var code = new Dictionary<string, List<string>>
        {
            ["c"] = Files("/usr/include", "*.h", 400),
            ["perl"] = Files("/usr/share/perl", "*.pm", 300),
            ["sh"] = Files("/usr/bin", "*", 200, t => t.StartsWith("#!/bin/sh") || t.StartsWith("#!/bin/bash") || t.StartsWith("#! /bin/sh")),
            ["javascript"] = Files("/usr/lib/node_modules/npm/lib", "*.js", 300),
            ["java"] = JavaSources(300),
        };
        return code.Where(c => c.Value.Count >= 20).ToDictionary();
    }

    private static List<string> JavaSources(int take)
    {
        var zip = Directory.Exists("/usr/lib/jvm") ? Directory.EnumerateFiles("/usr/lib/jvm", "src.zip", SearchOption.AllDirectories).Order()
            .FirstOrDefault(f => (File.ResolveLinkTarget(f, returnFinalTarget: true)?.Exists ?? true)) : null;
        if (zip is null)
        {
            return [];
        }
        using var archive = ZipFile.OpenRead(zip);
        return archive.Entries.Where(e => e.FullName.StartsWith("java.base/java/util/", StringComparison.Ordinal) && e.FullName.EndsWith(".java"))
            .OrderBy(e => e.FullName, StringComparer.Ordinal).Take(take)
            .Select(e => { using var reader = new StreamReader(e.Open()); return reader.ReadToEnd(); }).ToList();
    }

    /// <summary>Identifier, keyword and operator tokens of the held-out code (Java and C): a code-token payload's vocabulary.</summary>
    public List<string> CodeTokens() => _code.Value.Where(c => c.Key is "java" or "c").SelectMany(c => c.Value)
        .SelectMany(t => CodeToken().Matches(t).Select(m => m.Value)).Distinct().Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*|[{}()\[\];,.]|[-+*/%=<>!&|^~?:]{1,3}|\d+")]
    private static partial Regex CodeToken();

    /// <summary>An example of <paramref name="set"/> with its first and last field cut short (<see cref="Corpora.Short"/>).</summary>
    public static string ShortExample(CleanSet set, Random random)
    {
        var fields = ScannerEvaluation.Text(set.Example(random), 1).Fields;
        return Corpora.Example(Corpora.Short(random, fields[0].Text), Corpora.Short(random, fields[^1].Text));
    }

    /// <summary>Word frequencies of a language's manual pages (word salad of another language).</summary>
    public List<KeyValuePair<string, int>> WordsOf(string language) => WordList(_languages.Value.GetValueOrDefault(language) ?? []);

    private static List<KeyValuePair<string, int>> WordList(IEnumerable<string> paragraphs)
    {
        var counts = new Dictionary<string, int>();
        foreach (var paragraph in paragraphs)
        {
            foreach (Match w in GermanWord().Matches(paragraph))
            {
                var word = w.Value.ToLowerInvariant();
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }
        return counts.OrderByDescending(c => c.Value).Take(20_000).ToList();
    }

    [GeneratedRegex(@"\p{L}{2,}")]
    private static partial Regex GermanWord();
}
