namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>The system clock, moved forward on demand: a test sees an hour pass without waiting for it. Each Gateway
/// under test has its own.</summary>
public sealed class TestClock : TimeProvider
{
    private long _aheadTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _aheadTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _aheadTicks, by.Ticks);
}
