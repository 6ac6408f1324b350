using System.Text;
using System.Text.Json.Nodes;
using VendorGate.Attest.Dsse;

namespace VendorGate.Attest.Tests.Dsse;

public class EnvelopeTests
{
    [Fact]
    public void Encode_DsseSpecVector_MatchesSpec()
    {
        var pae = Pae.Encode("http://example.com/HelloWorld", "hello world"u8);

        Assert.Equal("DSSEv1 29 http://example.com/HelloWorld 11 hello world", Encoding.UTF8.GetString(pae));
    }

    [Fact]
    public void Encode_NonAsciiType_CountsBytesNotCharacters()
    {
        Assert.Equal("DSSEv1 2 é 0 ", Encoding.UTF8.GetString(Pae.Encode("é", [])));
    }

    [Fact]
    public void Parse_UrlSafeUnpaddedBase64_IsAccepted()
    {
        byte[] payload = [0xfb, 0xff, 0xfe, 0x01];
        const string json = """{"payload":"-__-AQ","payloadType":"t","signatures":[{"keyid":"k","sig":"_w"}]}""";

        var envelope = Envelope.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(payload, envelope.Payload);
        Assert.Equal([0xff], envelope.Signatures[0].Signature);
        var roundTrip = Envelope.Parse(envelope.ToJson());
        Assert.Equal(payload, roundTrip.Payload);
        Assert.Contains("\"payload\":\"+//+AQ==\"", Encoding.UTF8.GetString(envelope.ToJson()));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"payloadType":"t","signatures":[]}""")]
    [InlineData("""{"payload":"***","payloadType":"t","signatures":[]}""")]
    public void Parse_NotAnEnvelope_ThrowsFormatException(string json) =>
        Assert.Throws<FormatException>(() => Envelope.Parse(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void ToCanonicalJson_Statement_IsRfc8785AndParsesBack()
    {
        var statement = new Statement([new Subject("batch:1", new string('a', 64))], "https://vendorgate.dev/x/v1",
            new JsonObject { ["z"] = 1, ["a"] = "é" });

        var json = Encoding.UTF8.GetString(statement.ToCanonicalJson());

        Assert.Equal($$"""{"_type":"https://in-toto.io/Statement/v1","predicate":{"a":"é","z":1},"predicateType":"https://vendorgate.dev/x/v1","subject":[{"digest":{"sha256":"{{new string('a', 64)}}"},"name":"batch:1"}]}""", json);
        var parsed = Statement.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal("batch:1", parsed.Subjects[0].Name);
        Assert.Equal(1, parsed.Predicate["z"]!.GetValue<int>());
    }
}
