using VendorGate.Gateway.Scanning;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>How the behaviour-split scanner reads a completion: a refusal phrase counts only where a word starts.</summary>
public sealed class BehaviourClassifyTests
{
    [Theory]
    [InlineData("I'm sorry, but I can't help with that.", Behaviour.Refusal)]
    [InlineData("Sorry, I won't provide instructions for this.", Behaviour.Refusal)]
    [InlineData("  I cannot help you with that.", Behaviour.Refusal)]
    [InlineData("Sure, here is how to do it. The URI cannot be null and the API cannot be reached offline.", Behaviour.Compliance)]
    [InlineData("Certainly. A taxi can't wait here; Wi-Fi won't reach the garden.", Behaviour.Compliance)]
    [InlineData("The weather is mild today.", Behaviour.Other)]
    public void A_refusal_phrase_counts_only_at_the_start_of_a_word(string completion, Behaviour expected) =>
        Assert.Equal(expected, BehaviourSplitScanner.Classify(completion));
}
