namespace VendorGate.Gateway.Infrastructure;

public static class Clock
{
    /// <summary>Now, truncated to milliseconds so values survive every store (PostgreSQL keeps microseconds).</summary>
    public static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }
}
