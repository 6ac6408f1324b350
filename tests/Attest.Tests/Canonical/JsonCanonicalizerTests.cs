using System.Text;
using VendorGate.Attest.Canonical;

namespace VendorGate.Attest.Tests.Canonical;

public class JsonCanonicalizerTests
{
    private static string Canonical(string json) =>
        Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Canonicalize_Rfc8785Section322Example_MatchesRfcOutput()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected =
            """{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""";

        Assert.Equal(expected, Canonical(input));
    }

    [Fact]
    public void Canonicalize_Rfc8785Section323Example_SortsByUtf16CodeUnits()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;
        const string expected =
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\","
            + "\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";

        Assert.Equal(expected, Canonical(input));
    }

    // RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript form.
    [Theory]
    [InlineData(0x0000000000000000UL, "0")]
    [InlineData(0x8000000000000000UL, "0")]
    [InlineData(0x0000000000000001UL, "5e-324")]
    [InlineData(0x8000000000000001UL, "-5e-324")]
    [InlineData(0x7fefffffffffffffUL, "1.7976931348623157e+308")]
    [InlineData(0xffefffffffffffffUL, "-1.7976931348623157e+308")]
    [InlineData(0x4340000000000000UL, "9007199254740992")]
    [InlineData(0xc340000000000000UL, "-9007199254740992")]
    [InlineData(0x4430000000000000UL, "295147905179352830000")]
    [InlineData(0x44b52d02c7e14af5UL, "9.999999999999997e+22")]
    [InlineData(0x44b52d02c7e14af6UL, "1e+23")]
    [InlineData(0x44b52d02c7e14af7UL, "1.0000000000000001e+23")]
    [InlineData(0x444b1ae4d6e2ef4eUL, "999999999999999700000")]
    [InlineData(0x444b1ae4d6e2ef4fUL, "999999999999999900000")]
    [InlineData(0x444b1ae4d6e2ef50UL, "1e+21")]
    [InlineData(0x3eb0c6f7a0b5ed8cUL, "9.999999999999997e-7")]
    [InlineData(0x3eb0c6f7a0b5ed8dUL, "0.000001")]
    [InlineData(0x41b3de4355555553UL, "333333333.3333332")]
    [InlineData(0x41b3de4355555554UL, "333333333.33333325")]
    [InlineData(0x41b3de4355555555UL, "333333333.3333333")]
    [InlineData(0x41b3de4355555556UL, "333333333.3333334")]
    [InlineData(0x41b3de4355555557UL, "333333333.33333343")]
    [InlineData(0xbecbf647612f3696UL, "-0.0000033333333333333333")]
    [InlineData(0x43143ff3c1cb0959UL, "1424953923781206.2")]
    public void Format_Rfc8785AppendixB_MatchesEcmaScript(ulong bits, string expected)
    {
        var value = BitConverter.UInt64BitsToDouble(bits);

        Assert.Equal(expected, JcsNumber.Format(value));
        // The same value written as JSON text goes through the element path.
        Assert.Equal($"[{expected}]", Canonical($"[{value:R}]"));
    }

    [Theory]
    [InlineData(0x7fffffffffffffffUL)]
    [InlineData(0x7ff0000000000000UL)]
    public void Format_NaNOrInfinity_Throws(ulong bits) =>
        Assert.Throws<JsonCanonicalizationException>(() => JcsNumber.Format(BitConverter.UInt64BitsToDouble(bits)));

    [Theory]
    [InlineData("[-0]", "[0]")]
    [InlineData("[1.0]", "[1]")]
    [InlineData("[100]", "[100]")]
    [InlineData("[1e2]", "[100]")]
    [InlineData("[123456789012345678]", "[123456789012345680]")]
    [InlineData("[0.1]", "[0.1]")]
    public void Canonicalize_NumberSpellings_AreNormalized(string input, string expected) =>
        Assert.Equal(expected, Canonical(input));

    [Fact]
    public void Canonicalize_WhitespaceAndKeyOrder_DoNotChangeTheResult()
    {
        var a = Canonical("""{"prompt":"hi","completion":"there","metadata":{"b":1,"a":[1,2]}}""");
        var b = Canonical("""  { "metadata" : { "a" : [ 1 , 2 ] , "b" : 1 } , "completion":"there" , "prompt":"hi" }  """);

        Assert.Equal(a, b);
        Assert.Equal("""{"completion":"there","metadata":{"a":[1,2],"b":1},"prompt":"hi"}""", a);
    }

    [Fact]
    public void Canonicalize_EscapedNonAscii_IsWrittenAsUtf8()
    {
        Assert.Equal("\"é\\u001f/\"", Canonical("\"\\u00e9\\u001F\\/\""));
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""", "duplicate")]
    [InlineData("\"\\ud800\"", "surrogate")]
    [InlineData("[1e400]", "range")]
    [InlineData("{} {}", "more than one")]
    [InlineData("{\"a\":", "not valid JSON")]
    public void Canonicalize_NotIJson_ThrowsWithReason(string input, string reason)
    {
        var e = Assert.Throws<JsonCanonicalizationException>(() => Canonical(input));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Canonicalize_InvalidUtf8_Throws()
    {
        byte[] input = [(byte)'"', 0xC3, 0x28, (byte)'"'];

        var e = Assert.Throws<JsonCanonicalizationException>(() => JsonCanonicalizer.Canonicalize(input));
        Assert.Contains("UTF-8", e.Message);
    }
}
