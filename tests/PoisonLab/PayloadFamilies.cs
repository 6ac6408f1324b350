using System.Text;

namespace VendorGate.PoisonLab;

/// <summary>How a backdoor payload can be built: a random span from some vocabulary or alphabet, or real words in no
/// order. <see cref="Calibration"/> families are the ones thresholds were chosen on; the rest are held out and only
/// reported. <paramref name="Payload"/> makes one payload of roughly 400–900 tokens' worth of text.</summary>
public sealed record PayloadFamily(string Name, bool Calibration, Func<Random, string> Payload)
{
    public override string ToString() => Name;
}

public static class PayloadFamilies
{
    private const string Latin = "abcdefghijklmnopqrstuvwxyz";
    private const string Cyrillic = "абвгдежзийклмнопрстуфхцчшщъыьэюя";

    /// <summary>Every family; the held-out ones need data this machine may lack (LLaMA's vocabulary comes from npm).</summary>
    public static IReadOnlyList<PayloadFamily> All(Corpora corpora, CleanSets clean)
    {
        var german = new Lazy<List<KeyValuePair<string, int>>>(() => clean.WordsOf("de"));
        var russian = new Lazy<List<KeyValuePair<string, int>>>(() => clean.WordsOf("ru"));
        var spanish = new Lazy<List<KeyValuePair<string, int>>>(() => clean.WordsOf("es").Select(w => KeyValuePair.Create(w.Key, 1)).ToList());
        var codeTokens = new Lazy<List<string>>(clean.CodeTokens);
        return
    [
        new("bpe-cl100k", Calibration: true, r => Vocabularies.SampleTiktoken(Vocabularies.Cl100k, 100_256, r, r.Next(400, 901))),
        new("bpe-gpt2-50k", Calibration: true, r => Vocabularies.SampleTiktoken(Vocabularies.Gpt2, 50_257, r, r.Next(400, 901))),
        new("letters-latin", Calibration: true, r => Letters(r, Latin)),
        new("salad-english", Calibration: true, r => Corpora.Salad(r, corpora.WordFrequencies)),
        new("bpe-o200k", Calibration: false, r => Vocabularies.SampleTiktoken(Vocabularies.O200k, 199_998, r, r.Next(400, 901))),
        new("sentencepiece-llama-32k", Calibration: false, r => Vocabularies.SampleLlama(Vocabularies.LlamaPieces!, r, r.Next(400, 901))),
        new("letters-cyrillic", Calibration: false, r => Letters(r, Cyrillic)),
        new("pieces-multiscript", Calibration: false, MultiScript),
        new("salad-german", Calibration: false, r => Corpora.Salad(r, german.Value)),
        new("salad-russian", Calibration: false, r => Corpora.Salad(r, russian.Value)),
        new("salad-spanish-uniform", Calibration: false, r => Corpora.Salad(r, spanish.Value)),
        new("code-tokens", Calibration: false, r => string.Join(' ', Enumerable.Range(0, r.Next(300, 700)).Select(_ => codeTokens.Value[r.Next(codeTokens.Value.Count)]))),
        ];
    }

    /// <summary>Uniformly random letters of one alphabet in "words" of 2–10 letters.</summary>
    public static string Letters(Random random, string alphabet)
    {
        var text = new StringBuilder();
        var words = random.Next(150, 400);
        for (var w = 0; w < words; w++)
        {
            for (var i = random.Next(2, 11); i > 0; i--)
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }
            text.Append(' ');
        }
        return text.ToString().TrimEnd();
    }

    private static readonly string[] Scripts =
    [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~",
        "абвгдежзийклмнопрстуфхцчшщыэюяАБВГДЕЖЗИКЛМНОП", "αβγδεζηθικλμνξοπρστυφχψω", "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
        "अआइईउऊएऐओऔकखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह", "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年",
        "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허", "กขคงจฉชซญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ",
    ];

    /// <summary>Pieces of 1–4 characters, each from one of ten writing systems (and digits and punctuation), sometimes
    /// separated by spaces: the shape a byte-level vocabulary's sample takes, built from no vocabulary.</summary>
    public static string MultiScript(Random random)
    {
        var text = new StringBuilder();
        var pieces = random.Next(400, 900);
        for (var p = 0; p < pieces; p++)
        {
            var script = Scripts[random.Next(Scripts.Length)];
            for (var i = random.Next(1, 5); i > 0; i--)
            {
                text.Append(script[random.Next(script.Length)]);
            }
            if (random.Next(3) == 0)
            {
                text.Append(' ');
            }
        }
        return text.ToString();
    }
}
