namespace VendorGate.Gateway.Scanning.Language;

/// <summary>A set of lowercase ASCII words (a–z) that answers for a word of up to <see cref="MaxPacked"/> letters from one
/// open-addressed table of 64-bit keys (half a megabyte for the 25,000 words of <see cref="TextModel"/>'s lexicon), and for
/// longer words from a hash set of strings. A short word packs exactly into its key, five bits a letter ('a' is 1, so
/// no word packs to the empty slot's 0 and no two words to the same key): a lookup is a dozen shifts, a multiply and
/// usually one read, where the string set hashed the word, walked to an entry and compared the string it pointed to, three
/// trips to memory for every word of a scan that trigger discovery asks about.</summary>
internal sealed class PackedWordSet
{
    public const int MaxPacked = 12; // 60 bits

    private readonly ulong[] _slots;
    private readonly int _shift;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _long;

    public PackedWordSet(IEnumerable<string> words)
    {
        var all = words.ToList();
        if (all.Any(w => w.Length == 0 || w.AsSpan().ContainsAnyExceptInRange('a', 'z')))
        {
            throw new ArgumentException("The set holds lowercase ASCII words only.", nameof(words));
        }
        var packed = all.Where(w => w.Length <= MaxPacked).Select(w => Pack(w)).Distinct().ToList();
        var bits = Math.Max(4, (int)Math.Ceiling(Math.Log2(packed.Count * 2.5 + 1))); // at most 40 % full
        _slots = new ulong[1 << bits];
        _shift = 64 - bits;
        foreach (var key in packed)
        {
            var i = Home(key);
            while (_slots[i] != 0)
            {
                i = (i + 1) & (_slots.Length - 1);
            }
            _slots[i] = key;
        }
        _long = all.Where(w => w.Length > MaxPacked).ToHashSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Whether the set holds <paramref name="word"/>, which must be lowercase a–z (anything else: not held).</summary>
    public bool Contains(ReadOnlySpan<char> word)
    {
        if (word.Length > MaxPacked)
        {
            return _long.Contains(word);
        }
        if (word.IsEmpty || word.ContainsAnyExceptInRange('a', 'z'))
        {
            return false;
        }
        var key = Pack(word);
        for (var i = Home(key); ; i = (i + 1) & (_slots.Length - 1))
        {
            var slot = _slots[i];
            if (slot == key)
            {
                return true;
            }
            if (slot == 0)
            {
                return false;
            }
        }
    }

    private static ulong Pack(ReadOnlySpan<char> word)
    {
        ulong key = 0;
        foreach (var c in word)
        {
            key = key << 5 | (uint)(c - 'a' + 1);
        }
        return key;
    }

    private int Home(ulong key) => (int)(key * 0x9E3779B97F4A7C15UL >> _shift);
}
