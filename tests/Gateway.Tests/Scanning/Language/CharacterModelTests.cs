using VendorGate.Gateway.Scanning.Language;

namespace VendorGate.Gateway.Tests.Scanning.Language;

/// <summary>A text's surprisals depend on the text alone, not on what its thread measured before: the model also counts
/// the text's own n-grams, in a table each thread reuses from text to text.</summary>
public sealed class CharacterModelTests
{
    // The three-gram of these characters has the fingerprint 0x5bd1e995 (ContextSalt), so the context of the character
    // after it is keyed 0, the key that marks an empty slot of that table (found by a brute-force search).
    private const string ZeroContext = "\u52ca\u5370\u4e51";

    [Fact]
    public void A_text_measured_again_on_the_same_thread_gets_the_same_bits()
    {
        var text = string.Concat(Enumerable.Repeat("A sentence, then " + ZeroContext + "\u4e00 and more of it. ", 8));
        var measured = new List<double[]>();
        var thread = new Thread(() =>
        {
            for (var i = 0; i < 3; i++)
            {
                measured.Add([.. SpanSurprisal.Measure(text, CharacterModel.Shared).Select(w => w.Bits)]);
            }
        });
        thread.Start(); // a thread of its own: the first measurement starts from an empty table
        thread.Join();

        Assert.NotEmpty(measured[0]);
        Assert.Equal(measured[0], measured[1]);
        Assert.Equal(measured[0], measured[2]);
    }
}
