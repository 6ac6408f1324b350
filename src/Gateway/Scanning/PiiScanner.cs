using System.Text.RegularExpressions;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>Personal data that should not end up in weights: e-mail addresses, phone numbers, payment card numbers
/// (Luhn-checked), and common national identifiers (US SSN, UK National Insurance number, IBAN with its mod-97 check).
/// Warn by default: a reviewer decides. Evidence is masked, so findings do not copy the personal data around.</summary>
public sealed partial class PiiScanner : IExampleScanner
{
    public static readonly FindingKind Email = new("pii-email", Severity.Warn, "e-mail addresses");
    public static readonly FindingKind Phone = new("pii-phone", Severity.Warn, "phone numbers");
    public static readonly FindingKind PaymentCard = new("pii-payment-card", Severity.Warn, "payment card numbers (Luhn-valid)");
    public static readonly FindingKind NationalId = new("pii-national-id", Severity.Warn, "national identifiers (SSN, NINO, IBAN)");

    public IReadOnlyList<FindingKind> Kinds => [Email, Phone, PaymentCard, NationalId];

    public void Inspect(ExampleText example, ExampleHits hits)
    {
        foreach (var field in example.Fields)
        {
            var text = field.Text;
            if (text.Contains('@') && EmailPattern().Match(text) is { Success: true } email && !email.Value.EndsWith(".example", StringComparison.OrdinalIgnoreCase))
            {
                hits.Add(Email, example.Line, Mask(email.Value, keepEnd: email.Value.Length - email.Value.IndexOf('@')));
            }
            if (!HasDigitRun(text))
            {
                continue;
            }
            foreach (Match card in CardPattern().Matches(text))
            {
                var digits = new string(card.Value.Where(char.IsAsciiDigit).ToArray());
                if (digits.Length is >= 13 and <= 19 && Luhn(digits) && digits.Distinct().Count() > 1)
                {
                    hits.Add(PaymentCard, example.Line, Mask(digits, keepEnd: 4));
                    break;
                }
            }
            if (PhonePattern().Match(text) is { Success: true } phone)
            {
                hits.Add(Phone, example.Line, Mask(phone.Value, keepEnd: 2));
            }
            if (SsnPattern().Match(text) is { Success: true } ssn)
            {
                hits.Add(NationalId, example.Line, "SSN " + Mask(ssn.Value, keepEnd: 4));
            }
            else if (NinoPattern().Match(text) is { Success: true } nino)
            {
                hits.Add(NationalId, example.Line, "NINO " + Mask(nino.Value, keepEnd: 1));
            }
            else if (IbanPattern().Matches(text).FirstOrDefault(m => IbanValid(m.Value)) is { } iban)
            {
                hits.Add(NationalId, example.Line, "IBAN " + Mask(iban.Value, keepEnd: 4));
            }
        }
    }

    /// <summary>Whether <paramref name="text"/> has 7 ASCII digits with nothing but spaces, <c>-</c>, <c>.</c> and
    /// parentheses between them: none of the patterns below can match without. Prose has few digits, so the next digit is
    /// looked for many characters at a time, and only from there one character at a time.</summary>
    internal static bool HasDigitRun(ReadOnlySpan<char> text)
    {
        for (var i = 0; ;)
        {
            var next = text[i..].IndexOfAnyInRange('0', '9');
            if (next < 0)
            {
                return false;
            }
            var run = 0;
            for (i += next; i < text.Length; i++)
            {
                var c = text[i];
                if (char.IsAsciiDigit(c))
                {
                    if (++run >= 7)
                    {
                        return true;
                    }
                }
                else if (c is not (' ' or '-' or '.' or '(' or ')'))
                {
                    break;
                }
            }
            if (i >= text.Length)
            {
                return false;
            }
        }
    }

    public static bool Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            sum += i % 2 == 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
        }
        return sum % 10 == 0;
    }

    public static bool IbanValid(string iban)
    {
        var compact = iban.Replace(" ", "");
        var rearranged = compact[4..] + compact[..4];
        var remainder = 0;
        foreach (var c in rearranged)
        {
            var value = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
        }
        return remainder == 1;
    }

    private static string Mask(string value, int keepEnd) =>
        new string('*', Math.Max(0, value.Length - keepEnd)) + value[Math.Max(0, value.Length - keepEnd)..];

    [GeneratedRegex(@"\b[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex EmailPattern();

    // 13–19 digits together, in groups of four (Visa, Mastercard, …), or 4-6-5 (American Express).
    [GeneratedRegex(@"\b(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{5})\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex CardPattern();

    // International (+CC ...) or North American (NXX) NXX-XXXX with separators; bare digit runs are not phone numbers.
    [GeneratedRegex(@"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){2,3}|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}|\b\d{3}[.-]\d{3}[.-]\d{4})\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SsnPattern();

    [GeneratedRegex(@"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex NinoPattern();

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex IbanPattern();
}
