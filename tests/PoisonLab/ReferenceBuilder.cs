using System.IO.Hashing;
using System.Text;
using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.PoisonLab;

/// <summary>Builds the scanners' shipped reference of natural text: character n-gram counts over the translated messages
/// of every gettext catalogue on this machine (up to <see cref="PerLocale"/> characters per locale, chosen by a hash of
/// each message so the same machine gives the same sample). No code, no English prose from the SDK documentation and
/// no man page goes in: those are the evaluation's clean sets.</summary>
public static class ReferenceBuilder
{
    public const int PerLocale = 80_000;
    public const int MinCount = 3;

    public const int PerSource = 2_000_000;

    /// <summary>Running text beyond the catalogues, up to <see cref="PerSource"/> characters each: Python's standard
    /// library (code and English docstrings), package documentation under /usr/share/doc (READMEs, markdown, plain
    /// text), and the .NET SDK's API documentation (English).</summary>
    private static IEnumerable<(string Source, string Text)> Documents()
    {
        static IEnumerable<string> Read(IEnumerable<string> files)
        {
            foreach (var file in files.Order(StringComparer.Ordinal))
            {
                string text;
                try
                {
                    using var stream = file.EndsWith(".gz", StringComparison.Ordinal)
                        ? (Stream)new System.IO.Compression.GZipStream(File.OpenRead(file), System.IO.Compression.CompressionMode.Decompress)
                        : File.OpenRead(file);
                    text = new StreamReader(stream).ReadToEnd();
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    continue;
                }
                if (!text.Contains('\0') && !text.Contains('\uFFFD'))
                {
                    yield return text;
                }
            }
        }
        static IEnumerable<(string, string)> Capped(string source, IEnumerable<string> texts)
        {
            long taken = 0;
            foreach (var text in texts)
            {
                if ((taken += text.Length) > PerSource)
                {
                    yield break;
                }
                yield return (source, text);
            }
        }
        var python = Directory.EnumerateDirectories("/usr/lib", "python3*").SelectMany(d => Directory.EnumerateFiles(d, "*.py", SearchOption.AllDirectories));
        var docs = Directory.Exists("/usr/share/doc")
            ? Directory.EnumerateFiles("/usr/share/doc", "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) is var n
                && (n.StartsWith("README", StringComparison.Ordinal) || n.EndsWith(".md", StringComparison.Ordinal) || n.EndsWith(".md.gz", StringComparison.Ordinal) || n.EndsWith(".txt", StringComparison.Ordinal)))
            : [];
        return Capped("python", Read(python)).Concat(Capped("doc", Read(docs)))
            .Concat(Capped("sdk-docs", Corpora.Shared.English.Chunk(20).Select(c => string.Join(' ', c))));
    }

    public static (int Locales, long Characters) Build(string output)
    {
        var texts = new List<string>();
        var locales = 0;
        long characters = 0;
        foreach (var locale in Catalogues.Locales().Where(l => !l.StartsWith("en@", StringComparison.Ordinal)))
        {
            var taken = 0;
            foreach (var message in Catalogues.Messages(locale).OrderBy(m => XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(m))))
            {
                texts.Add(message);
                taken += message.Length;
                if (taken >= PerLocale)
                {
                    break;
                }
            }
            if (taken > 0)
            {
                locales++;
                characters += taken;
            }
        }
        foreach (var (source, text) in Documents())
        {
            texts.Add(text);
            characters += text.Length;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        using var file = File.Create(output);
        CharacterModel.Build(texts, MinCount, file);
        return (locales, characters);
    }
}
