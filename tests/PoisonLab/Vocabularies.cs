using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace VendorGate.PoisonLab;

/// <summary>Token vocabularies a payload can be sampled from: three tiktoken BPE vocabularies of different sizes
/// (Microsoft.ML.Tokenizers data packages) and the 32,000-piece SentencePiece vocabulary of LLaMA, which the npm
/// package llama-tokenizer-js ships as data (fetched with `npm pack` into a cache folder the first time).</summary>
public static partial class Vocabularies
{
    private static readonly Lazy<TiktokenTokenizer> Cl100kLazy = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));
    private static readonly Lazy<TiktokenTokenizer> O200kLazy = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private static readonly Lazy<TiktokenTokenizer> Gpt2Lazy = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    private static readonly Lazy<IReadOnlyList<string>?> LlamaLazy = new(LoadLlama);

    public static TiktokenTokenizer Cl100k => Cl100kLazy.Value;
    public static TiktokenTokenizer O200k => O200kLazy.Value;
    public static TiktokenTokenizer Gpt2 => Gpt2Lazy.Value;

    /// <summary>LLaMA's SentencePiece pieces ("▁" marks a word start, "&lt;0xNN&gt;" a byte), or null when npm cannot fetch them.</summary>
    public static IReadOnlyList<string>? LlamaPieces => LlamaLazy.Value;

    /// <summary><paramref name="count"/> tokens drawn uniformly from the vocabulary, decoded as a model would.</summary>
    public static string SampleTiktoken(TiktokenTokenizer tokenizer, int vocabulary, Random random, int count) =>
        tokenizer.Decode(Enumerable.Range(0, count).Select(_ => random.Next(vocabulary)).ToArray()) ?? "";

    public static string SampleLlama(IReadOnlyList<string> pieces, Random random, int count)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < count; i++)
        {
            var piece = pieces[random.Next(3, pieces.Count)]; // 0-2 are <unk>, <s>, </s>
            if (ByteToken().Match(piece) is { Success: true } match)
            {
                bytes.Add(Convert.ToByte(match.Groups[1].Value, 16));
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(piece.Replace('▁', ' ')));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray()).TrimStart();
    }

    private static IReadOnlyList<string>? LoadLlama()
    {
        var cache = Path.Combine(Path.GetTempPath(), "vendorgate-poisonlab", "llama-tokenizer-js");
        var script = Path.Combine(cache, "package", "llama-tokenizer.js");
        if (!File.Exists(script))
        {
            Directory.CreateDirectory(cache);
            if (!Run("npm", "pack llama-tokenizer-js@1.2.2 --silent", cache) || !Run("tar", "xzf llama-tokenizer-js-1.2.2.tgz", cache))
            {
                return null;
            }
        }
        var source = File.ReadAllText(script);
        var match = LlamaVocabulary().Match(source);
        return match.Success ? Encoding.UTF8.GetString(Convert.FromBase64String(match.Groups[1].Value)).Split('\n') : null;
    }

    private static bool Run(string file, string arguments, string directory)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, arguments)
            {
                WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    [GeneratedRegex(@"const llama_vocab_base64 = ""([A-Za-z0-9+/=]+)""")]
    private static partial Regex LlamaVocabulary();

    [GeneratedRegex(@"^<0x([0-9A-F]{2})>$")]
    private static partial Regex ByteToken();
}
