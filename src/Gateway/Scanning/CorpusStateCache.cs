using System.Runtime.CompilerServices;

namespace VendorGate.Gateway.Scanning;

/// <summary>What scans compute from the current corpus and would otherwise compute again each time (a sample's word counts,
/// every batch's band keys): the last value per Gateway, under a key naming the corpus state it was read from. One scan
/// reads a new state; the others asking meanwhile wait and take what it read.</summary>
public sealed class CorpusStateCache<TKey, TValue> where TKey : IEquatable<TKey>
{
    private static readonly ConditionalWeakTable<object, CorpusStateCache<TKey, TValue>> PerStore = new();

    /// <summary>The cache of the Gateway whose blob store holds the corpus. In service that is one per process; a process
    /// that hosts several Gateways (the test suite's) gives each its own, so their scans do not evict each other's.</summary>
    public static CorpusStateCache<TKey, TValue> Of(object blobStore) => PerStore.GetValue(blobStore, _ => new());

    private readonly SemaphoreSlim _reading = new(1, 1);
    private (TKey Key, TValue Value)? _last;

    public async Task<TValue> GetAsync(TKey key, Func<Task<TValue>> read, CancellationToken cancellationToken)
    {
        if (_last is { } cached && cached.Key.Equals(key))
        {
            return cached.Value;
        }
        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (_last is { } done && done.Key.Equals(key))
            {
                return done.Value;
            }
            var value = await read();
            _last = (key, value);
            return value;
        }
        finally
        {
            _reading.Release();
        }
    }
}
