using System.IO.Compression;
using System.Numerics;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning.Language;

/// <summary>A character n-gram language model: how surprising each character of a text is, in bits, given the four
/// before it, under counts learnt from natural text of many languages. It shares nothing with any tokenizer: a payload
/// sampled from a vocabulary (any vocabulary: BPE, SentencePiece, random letters, pieces of many scripts) joins pieces
/// no language joins, and its characters cost far more bits than natural text's. Probabilities interpolate each order
/// with the one below (a Dirichlet prior of <see cref="Prior"/> pseudo-counts per context, as in PPM), down to a
/// unigram over every UTF-16 unit.
///
/// Text is normalized before counting and before scoring (<see cref="Normalize"/>): lowercase, every decimal digit
/// '0', every run of whitespace one space.
///
/// The shipped counts (<c>Reference/charlm.bin.gz</c>) are built by <c>bash scripts/bench.sh reference</c> from the
/// translated messages of the GNU gettext catalogues under /usr/share/locale (about 60 languages, every major script);
/// see README "Poison detection" for what the reference holds and what it was calibrated on.</summary>
public sealed class CharacterModel
{
    public const int Order = 5;
    private const double Prior = 2.0;
    private const int Magic = 0x4D4C4356; // "VCLM"

    private static readonly Lazy<CharacterModel> Instance = new(LoadShipped);

    /// <summary>Open addressing: an n-gram's key in the low 32 bits of its slot and its count in the high 32, so that
    /// a lookup that finds its key reads one cache line (the table is 16 MB: most lookups miss the caches).</summary>
    private readonly ulong[] _slots;
    private readonly int _mask;
    private readonly long _total;
    private readonly int[] _asciiCounts = new int[128];
    private readonly double[] _asciiUnigram = new double[128];

    private CharacterModel(IReadOnlyCollection<KeyValuePair<uint, int>> counts, long total)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1024, counts.Count * 2));
        _slots = new ulong[size];
        _mask = size - 1;
        _total = total;
        foreach (var (key, count) in counts)
        {
            var slot = SlotOf(key);
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }
            _slots[slot] = (ulong)(uint)count << 32 | key;
        }
        for (var c = 0; c < 128; c++)
        {
            _asciiCounts[c] = CountOf(Key(Mix(Seed, (char)c)));
            _asciiUnigram[c] = UnigramOf(_asciiCounts[c]);
        }
    }

    /// <summary>The model built from the shipped reference counts.</summary>
    public static CharacterModel Shared => Instance.Value;

    /// <summary>The character as the model sees it (<see cref="Normalizing"/>), from a table of every UTF-16 code unit
    /// (128 KB, built once): the gibberish scanner normalizes every character of a batch, and lowercasing one outside
    /// ASCII is a call into ICU.</summary>
    public static char Normalize(char c) => Normalized[c];

    /// <summary>Whitespace is a space, a decimal digit of any script is '0', the rest lowercase (invariant).</summary>
    internal static char Normalizing(char c) => char.IsWhiteSpace(c) ? ' ' : char.IsDigit(c) ? '0' : char.ToLowerInvariant(c);

    private static readonly char[] Normalized = [.. Enumerable.Range(0, char.MaxValue + 1).Select(c => Normalizing((char)c))];

    /// <summary>Surprisal in bits of each character of <paramref name="text"/> (already normalized, whitespace runs
    /// collapsed), each capped at <paramref name="cap"/> bits so that one odd character cannot make a window.
    /// The reference's prediction is the prior of a second model learnt from the text itself as it is read (four-grams,
    /// <see cref="DocumentPrior"/> pseudo-counts): what a text repeats of itself (a table's layout, code's identifiers,
    /// a language the reference lacks) becomes cheap, as it would for a compressor; text that never repeats itself and
    /// that no language predicts (a sample of a vocabulary) stays expensive.</summary>
    public void Surprisals(ReadOnlySpan<char> text, Span<float> bits, double cap = 16)
    {
        Span<uint> keys = stackalloc uint[Order];
        Span<uint> previous = stackalloc uint[Order]; // the n-grams ending one character earlier: this one's contexts
        // counts[k]: the reference count of keys[k], looked up once and kept as the context of order k + 1 at the next
        // character (contexts[k] there). Counts past the first zero are not looked up: a context of count zero ends
        // the interpolation before them.
        Span<int> counts = stackalloc int[Order];
        Span<int> contexts = stackalloc int[Order];
        Span<ulong> first = stackalloc ulong[Order];
        var document = DocumentCounts.For(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (i + Ahead < text.Length)
            {
                PrefetchNGrams(text, i + Ahead);
            }
            // keys[k] is the n-gram of the k+1 characters ending at i; a shorter context at the start of the text.
            var longest = Math.Min(Order, i + 1);
            var hash = Seed;
            for (var k = 0; k < longest; k++)
            {
                hash = Mix(hash, text[i - k]);
                keys[k] = Key(hash);
            }
            // The first slot of every n-gram is read before any is compared: the table is far larger than the caches,
            // and reads that do not wait on one another wait for memory together.
            for (var k = 1; k < longest; k++)
            {
                first[k] = _slots[SlotOf(keys[k])];
            }
            var c = text[i];
            double p;
            if (c < 128)
            {
                (counts[0], p) = (_asciiCounts[c], _asciiUnigram[c]);
            }
            else
            {
                counts[0] = CountOf(keys[0]);
                p = UnigramOf(counts[0]);
            }
            var order = 1;
            for (; order < longest; order++)
            {
                var context = contexts[order - 1];
                if (context == 0)
                {
                    break;
                }
                counts[order] = CountOf(keys[order], first[order]);
                p = (counts[order] + Prior * p) / (context + Prior);
            }
            for (; order < longest && counts[order - 1] != 0; order++)
            {
                counts[order] = CountOf(keys[order], first[order]); // the next character's contexts
            }
            if (longest >= DocumentOrder + 1)
            {
                // An n-gram's key is odd (Key) and the salt is odd, so a context's key is even: never the n-gram's own.
                var ownSeen = document.GetAndIncrement(keys[DocumentOrder]);
                var contextSeen = document.GetAndIncrement(previous[DocumentOrder - 1] ^ ContextSalt);
                p = (ownSeen + DocumentPrior * p) / (contextSeen + DocumentPrior);
            }
            bits[i] = (float)Math.Min(cap, -Math.Log2(p));
            keys.CopyTo(previous);
            counts.CopyTo(contexts);
        }
    }

    /// <summary>How many characters ahead <see cref="Surprisals"/> asks for the slots it will read.</summary>
    private const int Ahead = 8;

    /// <summary>Asks for the first slots of the n-grams of two characters and more ending at <paramref name="i"/>
    /// (<see cref="CacheHint"/>; the unigrams are few and stay in the cache).</summary>
    private void PrefetchNGrams(ReadOnlySpan<char> text, int i)
    {
        var hash = Mix(Seed, text[i]);
        for (var k = 1; k < Order && k <= i; k++)
        {
            hash = Mix(hash, text[i - k]);
            CacheHint.Prefetch(ref _slots[SlotOf(Key(hash))]);
        }
    }

    private const int DocumentOrder = 3;
    private const double DocumentPrior = 2.0;
    private const uint ContextSalt = 0x5bd1e995;

    /// <summary>Counts of a text's own n-grams as it is read: a per-thread open-addressing table, reset per text.</summary>
    private sealed class DocumentCounts
    {
        [ThreadStatic] private static DocumentCounts? _current;
        private uint[] _keys = new uint[4096];
        private int[] _counts = new int[4096];
        private readonly List<int> _used = [];
        private int _zero; // key 0 (a context whose n-gram's fingerprint is ContextSalt) counted apart: 0 marks an empty slot

        public static DocumentCounts For(int length)
        {
            var counts = _current ??= new DocumentCounts();
            foreach (var slot in counts._used)
            {
                counts._keys[slot] = 0;
                counts._counts[slot] = 0;
            }
            counts._used.Clear();
            counts._zero = 0;
            var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4096, length * 4));
            if (counts._keys.Length < size)
            {
                counts._keys = new uint[size];
                counts._counts = new int[size];
            }
            return counts;
        }

        /// <summary>The key's count so far, then counts it once more.</summary>
        public int GetAndIncrement(uint key)
        {
            if (key == 0)
            {
                return _zero++;
            }
            var mask = _keys.Length - 1;
            for (var slot = (int)(key * 0x9E3779B1u >> 8) & mask; ; slot = (slot + 1) & mask)
            {
                if (_keys[slot] == key)
                {
                    return _counts[slot]++;
                }
                if (_keys[slot] == 0)
                {
                    _keys[slot] = key;
                    _counts[slot] = 1;
                    _used.Add(slot);
                    return 0;
                }
            }
        }
    }

    private double UnigramOf(int count) => (count + 0.5) / (_total + 0.5 * 65536);

    private int SlotOf(uint key) => (int)(key * 0x9E3779B1u >> 8) & _mask;

    private int CountOf(uint key) => CountOf(key, _slots[SlotOf(key)]);

    /// <summary>The key's count, given what its first slot holds.</summary>
    private int CountOf(uint key, ulong at)
    {
        var slot = SlotOf(key);
        while (true)
        {
            if ((uint)at == key)
            {
                return (int)(at >> 32);
            }
            if (at == 0)
            {
                return 0;
            }
            slot = (slot + 1) & _mask;
            at = _slots[slot];
        }
    }

    // The n-gram's characters are mixed last first, so the n-gram ending at i and the context ending at i-1 are
    // both found by walking back from their last character.
    private const ulong Seed = 0x9E3779B97F4A7C15UL;

    /// <summary>The 32-bit fingerprint an n-gram is stored under (never zero: zero marks an empty slot). About 60 of
    /// the reference's n-grams share a fingerprint with another; the counts they blur are negligible.</summary>
    private static uint Key(ulong hash) => (uint)(hash >> 32) | 1;

    private static ulong Mix(ulong hash, char c)
    {
        hash = (hash ^ c) * 0xBF58476D1CE4E5B9UL;
        return hash ^ (hash >> 31);
    }

    private static (Dictionary<uint, int> Counts, long Total) Count(IEnumerable<string> texts)
    {
        var counts = new Dictionary<uint, int>();
        long total = 0;
        foreach (var text in texts)
        {
            var normalized = NormalizeText(text);
            for (var i = 0; i < normalized.Length; i++)
            {
                var hash = Seed;
                for (var k = 0; k < Order && k <= i; k++)
                {
                    hash = Mix(hash, normalized[i - k]);
                    System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, Key(hash), out _)++;
                }
            }
            total += normalized.Length;
        }
        return (counts, total);
    }

    private static List<KeyValuePair<uint, int>> Prune(Dictionary<uint, int> counts, int minCount) =>
        counts.Where(c => c.Value >= minCount).ToList();

    /// <summary>Lowercase, digits as '0', whitespace runs as one space, trimmed.</summary>
    public static string NormalizeText(ReadOnlySpan<char> text)
    {
        var chars = new char[text.Length];
        var n = 0;
        foreach (var raw in text)
        {
            var c = Normalize(raw);
            if (c == ' ' && (n == 0 || chars[n - 1] == ' '))
            {
                continue;
            }
            chars[n++] = c;
        }
        while (n > 0 && chars[n - 1] == ' ')
        {
            n--;
        }
        return new string(chars, 0, n);
    }

    /// <summary>Writes the counts of <paramref name="texts"/> (n-grams seen at least <paramref name="minCount"/> times)
    /// in the shipped format: gzip of magic, total, entry count, then (key, count) pairs sorted by key, keys as deltas.</summary>
    public static void Build(IEnumerable<string> texts, int minCount, Stream output)
    {
        var (counts, total) = Count(texts);
        var kept = Prune(counts, minCount).OrderBy(c => c.Key).ToList();
        using var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
        using var writer = new BinaryWriter(gzip);
        writer.Write(Magic);
        writer.Write(total);
        writer.Write(kept.Count);
        uint previous = 0;
        foreach (var (key, count) in kept)
        {
            writer.Write7BitEncodedInt((int)(key - previous));
            writer.Write7BitEncodedInt(count);
            previous = key;
        }
    }

    public static CharacterModel Load(Stream input)
    {
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var reader = new BinaryReader(new BufferedStream(gzip, 1 << 16));
        if (reader.ReadInt32() != Magic)
        {
            throw new InvalidDataException("Not a VendorGate character model.");
        }
        var total = reader.ReadInt64();
        var entries = new KeyValuePair<uint, int>[reader.ReadInt32()];
        uint key = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            key += (uint)reader.Read7BitEncodedInt();
            entries[i] = new(key, reader.Read7BitEncodedInt());
        }
        return new CharacterModel(entries, total);
    }

    private static CharacterModel LoadShipped()
    {
        using var stream = typeof(CharacterModel).Assembly.GetManifestResourceStream("reference/charlm.bin.gz")
            ?? throw new InvalidOperationException("The reference character model is not embedded in the Gateway assembly.");
        return Load(stream);
    }
}
