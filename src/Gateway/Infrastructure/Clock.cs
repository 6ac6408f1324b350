namespace VendorGate.Gateway.Infrastructure;

public static class Clock
{
    /// <summary>Now by this host's clock (<see cref="TimeProvider.System"/> unless a test sets another), truncated to
    /// milliseconds so values survive every store (PostgreSQL keeps microseconds).</summary>
    public static DateTimeOffset Now(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }

    /// <summary>How a time is written in signed statements and the audit chain: UTC, milliseconds, <c>Z</c>
    /// (<c>2026-12-03T11:06:15.123Z</c>). The one definition: a verifier recomputes digests over these strings.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
