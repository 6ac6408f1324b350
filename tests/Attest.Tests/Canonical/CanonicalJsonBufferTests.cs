using VendorGate.Attest.Canonical;

namespace VendorGate.Attest.Tests.Canonical;

public class CanonicalJsonBufferTests
{
    [Fact]
    public void Write_PastInitialCapacity_GrowsAndKeepsEverything()
    {
        var buffer = new CanonicalJsonBuffer(16);
        var expected = new List<byte>();

        for (var i = 0; i < 100; i++)
        {
            var chunk = Enumerable.Range(0, 7).Select(j => (byte)(i + j)).ToArray();
            buffer.Write(chunk);
            buffer.Write((byte)'\n');
            expected.AddRange(chunk);
            expected.Add((byte)'\n');
        }
        var span = buffer.GetSpan(1000);
        span[0] = 42;
        buffer.Advance(1);
        expected.Add(42);

        Assert.Equal(expected, buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Canonicalize_DocumentLargerThanTheBuffer_IsComplete()
    {
        var value = new string('a', 100_000);
        var json = System.Text.Encoding.UTF8.GetBytes($"{{\"b\":\"{value}\",\"a\":1}}");
        var buffer = new CanonicalJsonBuffer(16);

        JsonCanonicalizer.Canonicalize(json, buffer);

        Assert.Equal($"{{\"a\":1,\"b\":\"{value}\"}}", System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
