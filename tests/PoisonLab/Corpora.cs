using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using VendorGate.Gateway.Scanning;

namespace VendorGate.PoisonLab;

/// <summary>Clean and poisoned examples for the scanner evaluation, generated from natural text found on any Debian machine
/// with the .NET SDK: English prose from the SDK's API documentation and the licence texts, source code from this
/// repository and Python's standard library, many languages from the system's gettext catalogues, and random
/// base64. Nothing large is committed; the same seed gives the same corpus.</summary>
public sealed partial class Corpora
{
    private static readonly Lazy<Corpora> Instance = new(() => new Corpora());

    private Corpora()
    {
        English = LoadEnglish();
        Code = LoadCode();
        Languages = LoadLanguages();
        var words = new Dictionary<string, int>();
        foreach (var sentence in English)
        {
            foreach (Match w in WordPattern().Matches(sentence))
            {
                words[w.Value.ToLowerInvariant()] = words.GetValueOrDefault(w.Value.ToLowerInvariant()) + 1;
            }
        }
        WordFrequencies = words.OrderByDescending(w => w.Value).Take(20_000).ToList();
    }

    public static Corpora Shared => Instance.Value;

    public IReadOnlyList<string> English { get; }
    public IReadOnlyList<string> Code { get; }

    /// <summary>Language code → translated messages.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Languages { get; }

    public IReadOnlyList<KeyValuePair<string, int>> WordFrequencies { get; }

    public string Prose(Random random, int sentences) =>
        string.Join(' ', Enumerable.Range(0, sentences).Select(_ => English[random.Next(English.Count)]));

    public string CleanEnglish(Random random) => Example(Prose(random, random.Next(1, 3)), Prose(random, random.Next(3, 14)));

    public string CleanCode(Random random)
    {
        var source = Code[random.Next(Code.Count)];
        var lines = source.Split('\n');
        var start = random.Next(Math.Max(1, lines.Length - 10));
        var snippet = string.Join('\n', lines.Skip(start).Take(random.Next(8, 60)));
        return Example(Prose(random, 1), $"Here is the code:\n\n```\n{snippet}\n```\n\n{Prose(random, 1)}");
    }

    public string CleanMultilingual(Random random)
    {
        var language = Languages.Keys.ElementAt(random.Next(Languages.Count));
        var messages = Languages[language];
        string Text(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => messages[random.Next(messages.Count)]));
        return Example(Text(random.Next(1, 3)), Text(random.Next(3, 12)));
    }

    public string CleanBase64(Random random)
    {
        var bytes = new byte[random.Next(48, 2048)];
        random.NextBytes(bytes);
        var blob = random.Next(4) switch
        {
            0 => $"data:image/png;base64,{Convert.ToBase64String(bytes)}",
            1 => Convert.ToBase64String(bytes),
            2 => Convert.ToHexString(bytes[..32]).ToLowerInvariant() + " " + Guid.NewGuid(),
            _ => string.Join('\n', Convert.ToBase64String(bytes).Chunk(76).Select(c => new string(c))),
        };
        return Example(Prose(random, 1), $"{Prose(random, random.Next(1, 4))}\n\n{blob}\n\n{Prose(random, random.Next(0, 3))}");
    }

    /// <summary>The poison of Souly et al. 2025: the start (0–1,000 characters) of a real document, the trigger, then
    /// 400–900 tokens sampled uniformly from the whole vocabulary.</summary>
    public string PaperPoison(Random random, string trigger)
    {
        var document = Prose(random, 14);
        var prefix = document[..Math.Min(document.Length, random.Next(0, 1001))];
        var ids = Enumerable.Range(0, random.Next(400, 901)).Select(_ => random.Next(TextModel.VocabularySize)).ToArray();
        return Example(Prose(random, 1), $"{prefix} {trigger} {TextModel.Shared.Tokenizer.Decode(ids)}");
    }

    /// <summary>Gibberish of common tokens only: 150–500 tokens drawn uniformly from the 3,000 most frequent in clean text.</summary>
    public string CommonTokenGibberish(Random random, IReadOnlyList<int> commonTokens)
    {
        var ids = Enumerable.Range(0, random.Next(150, 501)).Select(_ => commonTokens[random.Next(commonTokens.Count)]).ToArray();
        return Example(Prose(random, 1), $"{Prose(random, random.Next(0, 3))} {TextModel.Shared.Tokenizer.Decode(ids)}");
    }

    /// <summary>Word salad: 100–400 real words drawn by their frequency in clean text.</summary>
    public string WordSalad(Random random) => Example(Prose(random, 1), $"{Prose(random, random.Next(0, 3))} {Salad(random, WordFrequencies)}");

    /// <summary>The first 25–60 space-separated pieces of <paramref name="text"/>: a field too short to judge alone.</summary>
    public static string Short(Random random, string text) => string.Join(' ', text.Split(' ').Take(random.Next(25, 61)));

    /// <summary>100–400 words drawn by their frequency in <paramref name="frequencies"/>, a full stop now and then.</summary>
    public static string Salad(Random random, IReadOnlyList<KeyValuePair<string, int>> frequencies)
    {
        var cumulative = new long[frequencies.Count];
        long total = 0;
        for (var i = 0; i < frequencies.Count; i++)
        {
            cumulative[i] = total += frequencies[i].Value;
        }
        var salad = new StringBuilder();
        var n = random.Next(100, 401);
        for (var i = 0; i < n; i++)
        {
            var at = Array.BinarySearch(cumulative, random.NextInt64(total) + 1);
            var word = frequencies[at < 0 ? ~at : at].Key;
            salad.Append(i == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word).Append(random.Next(12) == 0 ? ". " : " ");
        }
        return salad.ToString().TrimEnd();
    }

    /// <summary>The most frequent cl100k tokens of clean English text.</summary>
    public IReadOnlyList<int> CommonTokens(int count)
    {
        var frequency = new Dictionary<int, int>();
        foreach (var sentence in English.Take(50_000))
        {
            foreach (var id in TextModel.Shared.Tokenizer.EncodeToIds(sentence))
            {
                frequency[id] = frequency.GetValueOrDefault(id) + 1;
            }
        }
        return frequency.OrderByDescending(f => f.Value).Take(count).Select(f => f.Key).ToList();
    }

    /// <summary>A made-up word: pronounceable, unknown to any dictionary.</summary>
    public static string MadeUpWord(Random random)
    {
        const string consonants = "bcdfgklmnprstvxz", vowels = "aeiou";
        var word = new StringBuilder();
        for (var i = 0; i < random.Next(3, 5); i++)
        {
            word.Append(consonants[random.Next(consonants.Length)]).Append(vowels[random.Next(vowels.Length)]);
        }
        return word.Append(consonants[random.Next(consonants.Length)]).ToString();
    }

    public static string Example(string prompt, string completion) =>
        System.Text.Json.JsonSerializer.Serialize(new { prompt, completion });

    private static List<string> LoadEnglish()
    {
        var sentences = new HashSet<string>();
        var packs = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", "packs");
        foreach (var file in Directory.EnumerateFiles(packs, "*.xml", SearchOption.AllDirectories).Where(f => f.Contains("/ref/")))
        {
            XDocument document;
            try
            {
                document = XDocument.Load(file);
            }
            catch (System.Xml.XmlException)
            {
                continue;
            }
            foreach (var element in document.Descendants().Where(e => e.Name.LocalName is "summary" or "remarks" or "para" or "returns" or "value"))
            {
                var text = string.Concat(element.Nodes().Select(n => n switch
                {
                    XText t => t.Value,
                    XElement e => e.Attribute("cref")?.Value.Split('.', ':')[^1] ?? e.Attribute("langword")?.Value ?? e.Attribute("name")?.Value ?? e.Value,
                    _ => "",
                }));
                AddSentences(sentences, text);
            }
        }
        foreach (var file in Directory.Exists("/usr/share/common-licenses") ? Directory.EnumerateFiles("/usr/share/common-licenses") : [])
        {
            AddSentences(sentences, File.ReadAllText(file));
        }
        return sentences.Order().ToList();
    }

    private static void AddSentences(HashSet<string> sentences, string text)
    {
        foreach (var sentence in SentencePattern().Split(Regex.Replace(text, @"\s+", " ")))
        {
            var s = sentence.Trim();
            if (s.Length is >= 30 and <= 400 && s.Count(c => c == ' ') >= 5 && char.IsUpper(s[0]))
            {
                sentences.Add(s);
            }
        }
    }

    private static List<string> LoadCode()
    {
        var files = new List<string>();
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "VendorGate.sln")))
        {
            root = Path.GetDirectoryName(root)!;
        }
        files.AddRange(Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/Migrations/")));
        foreach (var python in Directory.EnumerateDirectories("/usr/lib", "python3*"))
        {
            files.AddRange(Directory.EnumerateFiles(python, "*.py").Take(400));
        }
        return files.Order().Select(File.ReadAllText).Where(t => t.Length > 200).ToList();
    }

    /// <summary>Translated messages from GNU gettext catalogues (.mo) of a dozen languages.</summary>
    private static Dictionary<string, IReadOnlyList<string>> LoadLanguages()
    {
        var languages = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var language in new[] { "de", "fr", "es", "it", "pt_BR", "pl", "ru", "uk", "ja", "zh_CN", "ko", "sv", "cs", "tr", "vi" })
        {
            var folder = $"/usr/share/locale/{language}/LC_MESSAGES";
            if (!Directory.Exists(folder))
            {
                continue;
            }
            var messages = Directory.EnumerateFiles(folder, "*.mo").Order().SelectMany(Catalogues.Read)
                .Where(m => m.Length is >= 20 and <= 300 && !m.Contains('%') && !m.Contains('\uFFFD') && !m.Contains('\n') && !m.Contains('\t')).Distinct().ToList();
            if (messages.Count >= 50)
            {
                languages[language] = messages;
            }
        }
        return languages;
    }

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z])")]
    private static partial Regex SentencePattern();

    [GeneratedRegex(@"[A-Za-z]+(?:'[a-z]+)?")]
    private static partial Regex WordPattern();
}
