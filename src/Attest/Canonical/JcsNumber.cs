using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace VendorGate.Attest.Canonical;

/// <summary>Formats IEEE 754 doubles the way ECMAScript's <c>Number.prototype.toString</c> does,
/// as RFC 8785 section 3.2.2.3 requires.</summary>
public static class JcsNumber
{
    /// <summary>Formats <paramref name="value"/> in ECMAScript form.</summary>
    /// <exception cref="JsonCanonicalizationException">NaN or infinity.</exception>
    public static string Format(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new JsonCanonicalizationException("number is not finite");
        }
        if (value == 0)
        {
            return "0"; // also for -0
        }
        var negative = value < 0;
        // "R" is the shortest string that round-trips: exactly the digits ECMAScript picks.
        var (digits, n) = Decompose(Math.Abs(value).ToString("R", CultureInfo.InvariantCulture));
        var k = digits.Length;
        string body;
        if (k <= n && n <= 21)
        {
            body = digits + new string('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            body = digits[..n] + "." + digits[n..];
        }
        else if (-6 < n && n <= 0)
        {
            body = "0." + new string('0', -n) + digits;
        }
        else
        {
            var exponent = n - 1;
            var sign = exponent < 0 ? "-" : "+";
            var mantissa = k == 1 ? digits : digits[..1] + "." + digits[1..];
            body = mantissa + "e" + sign + Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
        }
        return negative ? "-" + body : body;
    }

    internal static void Write(JsonElement element, CanonicalJsonBuffer destination)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (IsSmallCanonicalInteger(raw))
        {
            destination.Write(raw);
            return;
        }
        if (!element.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            throw new JsonCanonicalizationException("number is outside the IEEE 754 double range");
        }
        var text = Format(value);
        var span = destination.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }
        destination.Advance(text.Length);
    }

    // Integers of up to 15 digits are exact doubles and ECMAScript prints them unchanged.
    private static bool IsSmallCanonicalInteger(ReadOnlySpan<byte> raw)
    {
        var digits = raw.Length > 0 && raw[0] == (byte)'-' ? raw[1..] : raw;
        if (digits.Length is 0 or > 15 || digits.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }
        return digits[0] != (byte)'0' || digits.Length == 1 && raw.Length == 1;
    }

    // Splits a .NET round-trip string ("1.5E-07", "123.45", "1E+21") into significant digits s
    // and exponent n such that value = 0.s × 10^n (ECMAScript's k, n, s).
    private static (string Digits, int N) Decompose(string roundTrip)
    {
        var e = roundTrip.IndexOfAny(['E', 'e']);
        var mantissa = e < 0 ? roundTrip : roundTrip[..e];
        var exponent = e < 0 ? 0 : int.Parse(roundTrip[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var integerPart = dot < 0 ? mantissa : mantissa[..dot];
        var all = dot < 0 ? mantissa : integerPart + mantissa[(dot + 1)..];
        var leadingZeros = all.Length - all.TrimStart('0').Length;
        var digits = all.Trim('0');
        return (digits, integerPart.Length + exponent - leadingZeros);
    }
}
