using System.Text;

namespace VendorGate.Gateway.Scanning;

/// <summary>Whether a line of JSON can hold any of a few n-grams (whitespace-separated tokens), answered from its bytes
/// without parsing it: an example whose text holds an n-gram holds each of its tokens, so its line holds the UTF-8 bytes
/// of the n-gram's longest token, as long as JSON writes that token as its own bytes. Canonical JSON (RFC 8785) escapes
/// only quotes, backslashes and control characters, so a token without them (and without surrogates, whose bytes a lone
/// one would not have) is written as itself; a line with <c>\u</c> or <c>\/</c> in it (escapes only other writers
/// use) may hold anything and is always read. A line that holds none of the needles cannot hold any of the n-grams.</summary>
public sealed class LiteralNeedles
{
    /// <summary>More needles than this, and each line's search costs more than its parse: no needles then.</summary>
    public const int Max = 16;

    private readonly byte[][] _needles;

    private LiteralNeedles(byte[][] needles) => _needles = needles;

    /// <summary>The needles of <paramref name="ngrams"/> (tokens joined by single spaces); null when some n-gram's
    /// longest token is not written literally or there are more than <see cref="Max"/>: then every line is read.</summary>
    public static LiteralNeedles? Of(IEnumerable<string> ngrams)
    {
        var needles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ngram in ngrams)
        {
            var longest = ngram.Split(' ').MaxBy(token => token.Length)!;
            if (!IsLiteral(longest) || needles.Add(longest) && needles.Count > Max)
            {
                return null;
            }
        }
        return new LiteralNeedles([.. needles.Select(Encoding.UTF8.GetBytes)]);
    }

    private static bool IsLiteral(string token) =>
        token.Length > 0 && token.AsSpan().IndexOfAnyInRange('\0', '\u001f') < 0 && token.AsSpan().IndexOfAny('"', '\\') < 0
        && token.AsSpan().IndexOfAnyInRange('\ud800', '\udfff') < 0;

    /// <summary>False only when the line holds none of the n-grams.</summary>
    public bool MayHold(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\\u"u8) >= 0 || json.IndexOf("\\/"u8) >= 0)
        {
            return true;
        }
        foreach (var needle in _needles)
        {
            if (json.IndexOf(needle) >= 0)
            {
                return true;
            }
        }
        return false;
    }
}
