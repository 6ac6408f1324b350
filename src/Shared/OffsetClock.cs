namespace VendorGate;

/// <summary>The clock a process runs on: the system clock, or with <c>VendorGate:Clock:Offset</c> (a time span such as
/// <c>1096.00:00:00</c>, negative for the past) the system clock moved by that much. The Gateway and the Portal read it
/// the same way (this file is compiled into both), so processes given one offset agree on the time, and a demonstration
/// or a browser test runs on the day it chooses whatever day it is. Certificates and OpenID tokens are still judged on
/// the real time by their libraries.</summary>
public static class OffsetClock
{
    public const string Setting = "VendorGate:Clock:Offset";

    public static TimeProvider From(IConfiguration configuration)
    {
        if (configuration[Setting] is not { Length: > 0 } value)
        {
            return TimeProvider.System;
        }
        if (!TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var offset))
        {
            throw new InvalidOperationException($"{Setting} must be a time span such as 1096.00:00:00 (days.hours:minutes:seconds), not '{value}'.");
        }
        return new Shifted(offset);
    }

    private sealed class Shifted(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
