using VendorGate.Gateway.Scanning;

namespace VendorGate.Gateway.Tests.Scanning;

/// <summary>A corpus state is kept per Gateway (found by its blob store): a second Gateway in the same process, scanning
/// its own corpus, does not take the first one's out.</summary>
public sealed class CorpusStateCacheTests
{
    [Fact]
    public async Task Each_blob_store_keeps_its_own_last_corpus_state()
    {
        var (first, second) = (new object(), new object());
        var reads = 0;
        Task<string> ReadFirst()
        {
            reads++;
            return Task.FromResult("the first Gateway's sample");
        }

        Assert.Same(CorpusStateCache<string, string>.Of(first), CorpusStateCache<string, string>.Of(first));
        await CorpusStateCache<string, string>.Of(first).GetAsync("corpus-1", ReadFirst, CancellationToken.None);
        await CorpusStateCache<string, string>.Of(second).GetAsync("corpus-2", () => Task.FromResult("the second's"), CancellationToken.None);
        var again = await CorpusStateCache<string, string>.Of(first).GetAsync("corpus-1", ReadFirst, CancellationToken.None);

        Assert.Equal("the first Gateway's sample", again);
        Assert.Equal(1, reads);
    }
}
