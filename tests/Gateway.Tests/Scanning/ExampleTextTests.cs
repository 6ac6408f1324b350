using System.Text;
using VendorGate.Gateway.Scanning;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>A line is read as scanners need it: the top-level prompt and completion (prompt first) or the messages'
/// roles and contents in order, and the domain; nothing nested elsewhere is taken for them.</summary>
public sealed class ExampleTextTests
{
    [Theory]
    [InlineData("""{"completion":"A","prompt":"Q"}""", "prompt:Q|completion:A", "medical")]
    [InlineData("""{"completion":"A \"quoted\" \u00e9","domain":"legal","metadata":{"prompt":"not this","x":[1,{"completion":"nor this"}]},"prompt":"Q\nline"}""",
        "prompt:Q\nline|completion:A \"quoted\" é", "legal")]
    [InlineData("""{"domain":null,"messages":[{"content":"be brief","role":"system"},{"content":"hi","name":"x","role":"user","tool_calls":[{"id":"1"}]},{"content":"hello","role":"assistant"}]}""",
        "system:be brief|user:hi|assistant:hello", "medical")]
    [InlineData("""{"a":{"b":{"c":[[],{}]}},"messages":[],"z":true}""", "", "medical")]
    public void A_line_s_fields_and_domain(string line, string fields, string domain)
    {
        var example = ExampleText.Parse(Encoding.UTF8.GetBytes(line), 7, ["medical"]);

        Assert.Equal(fields, string.Join('|', example.Fields.Select(f => $"{f.Role}:{f.Text}")));
        Assert.Equal(domain, example.Domain); // its own, or the batch's one declared domain
        Assert.Equal(7, example.Line);
    }
}
