using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace VendorGate.Gateway.Scanning.Language;

/// <summary>ASCII's fast paths through the scanners' character tests. A class of characters as the bits of a mask, up
/// to 64 characters at a time: vector comparisons for ASCII, the <see cref="char"/> test for the rest. A reader that splits text at the edges of a class (letters, whitespace)
/// finds each edge as the next set or clear bit (<see cref="Cursor"/>): a branch per word instead of one per character,
/// which the processor mispredicts at every word's edges.</summary>
internal static class CharacterMasks
{
    /// <summary>Bit k set when <c>chars[k]</c> is a letter (<see cref="char.IsLetter(char)"/>).</summary>
    public static ulong Letters(ReadOnlySpan<char> chars) => Mask<Letter>(chars);

    /// <summary>Bit k set when <c>chars[k]</c> is whitespace (<see cref="char.IsWhiteSpace(char)"/>).</summary>
    public static ulong WhiteSpace(ReadOnlySpan<char> chars) => Mask<Space>(chars);

    /// <summary>A class of characters: <see cref="Ascii"/> decides the units below U+0080 sixteen at a time (it must be
    /// false from there on, as the tests below are: their unsigned differences run past the ranges), <see cref="Is"/> the rest.</summary>
    private interface IClass
    {
        static abstract Vector256<ushort> Ascii(Vector256<ushort> units);
        static abstract bool Is(char c);
    }

    private readonly struct Letter : IClass
    {
        public static Vector256<ushort> Ascii(Vector256<ushort> units) =>
            Vector256.LessThanOrEqual((units | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)('z' - 'a')));

        public static bool Is(char c) => char.IsLetter(c);
    }

    private readonly struct Space : IClass
    {
        public static Vector256<ushort> Ascii(Vector256<ushort> units) =>
            Vector256.Equals(units, Vector256.Create((ushort)' ')) | Vector256.LessThanOrEqual(units - Vector256.Create((ushort)'\t'), Vector256.Create((ushort)('\r' - '\t')));

        public static bool Is(char c) => char.IsWhiteSpace(c);
    }

    private static ulong Mask<T>(ReadOnlySpan<char> chars) where T : struct, IClass
    {
        chars = chars[..Math.Min(64, chars.Length)];
        var units = MemoryMarshal.Cast<char, ushort>(chars);
        ulong set = 0, wide = 0;
        var k = 0;
        for (; k + 16 <= units.Length; k += 16)
        {
            var v = Vector256.Create(units.Slice(k, 16));
            set |= (ulong)T.Ascii(v).ExtractMostSignificantBits() << k;
            wide |= (ulong)Vector256.GreaterThanOrEqual(v, Vector256.Create((ushort)128)).ExtractMostSignificantBits() << k;
        }
        for (; k < units.Length; k++)
        {
            wide |= units[k] >= 128 ? 1UL << k : 0;
            set |= units[k] < 128 && T.Is(chars[k]) ? 1UL << k : 0;
        }
        for (; wide != 0; wide &= wide - 1)
        {
            var at = BitOperations.TrailingZeroCount(wide);
            set |= T.Is(chars[at]) ? 1UL << at : 0;
        }
        return set;
    }

    /// <summary><paramref name="word"/> lowercased (invariant culture) into <paramref name="lower"/> (as long as it): a word
    /// of ASCII (most words of most batches) here, A–Z one bit away, the rest by the culture's casing, which cost a third
    /// of the near-duplicate scanner's time when it did every word.</summary>
    public static ReadOnlySpan<char> ToLowerInvariant(ReadOnlySpan<char> word, Span<char> lower)
    {
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (c >= 128)
            {
                return lower[..word.ToLowerInvariant(lower)];
            }
            lower[i] = (uint)(c - 'A') <= 'Z' - 'A' ? (char)(c | 0x20) : c;
        }
        return lower[..word.Length];
    }

    /// <summary>The <paramref name="length"/> characters of <paramref name="text"/> from <paramref name="start"/>
    /// lowercased (invariant culture) into <paramref name="lower"/> (at least 16 long): a word of up to 16 characters with
    /// 16 characters of text from its start (most words of most texts) in one vector step, whatever follows it (only its
    /// own characters decide whether it is ASCII), the rest as <see cref="ToLowerInvariant(ReadOnlySpan{char}, Span{char})"/>
    /// does (word salad lowercases every word of every field twice a scan; the loop was a tenth of its time).</summary>
    public static ReadOnlySpan<char> ToLowerInvariant(ReadOnlySpan<char> text, int start, int length, Span<char> lower)
    {
        if (length <= 16 && start + 16 <= text.Length)
        {
            var units = Vector256.Create(MemoryMarshal.Cast<char, ushort>(text.Slice(start, 16)));
            var wide = Vector256.GreaterThanOrEqual(units, Vector256.Create((ushort)128)).ExtractMostSignificantBits();
            if ((wide & ((1u << length) - 1)) == 0)
            {
                var upper = Vector256.LessThanOrEqual(units - Vector256.Create((ushort)'A'), Vector256.Create((ushort)('Z' - 'A')));
                (units | (upper & Vector256.Create((ushort)0x20))).CopyTo(MemoryMarshal.Cast<char, ushort>(lower));
                return lower[..length];
            }
        }
        return ToLowerInvariant(text.Slice(start, length), lower);
    }

    /// <summary>Walks a text by the edges of a class: the mask of the 64 characters it is in is kept until it moves on.</summary>
    internal struct Cursor(string text, Cursor.Classify mask)
    {
        public delegate ulong Classify(ReadOnlySpan<char> chars);

        private int _block = -1; // the 64 characters whose mask _bits holds, from here
        private ulong _bits;

        /// <summary>The first place from <paramref name="i"/> on whose character is in the class (<paramref name="set"/>)
        /// or not; the text's length when there is none.</summary>
        public int Next(int i, bool set)
        {
            while (i < text.Length)
            {
                var block = i & ~63;
                if (block != _block)
                {
                    (_block, _bits) = (block, mask(text.AsSpan(block, Math.Min(64, text.Length - block))));
                }
                var bits = (set ? _bits : ~_bits) >> (i & 63);
                if (bits != 0)
                {
                    return Math.Min(text.Length, i + BitOperations.TrailingZeroCount(bits));
                }
                i = block + 64;
            }
            return text.Length;
        }
    }
}
