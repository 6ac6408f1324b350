using System.Collections;
using System.Reflection;

namespace VendorGate.Gateway.Infrastructure;

/// <summary>No text value the Gateway stores or looks up may hold U+0000: PostgreSQL cannot store it (a 500 there), and
/// nothing legitimate needs it. Query strings are checked before routing, JSON bodies by <see cref="ValidationFilter"/>.</summary>
public static class NulGuard
{
    public const string Detail = "Text values may not contain the NUL character (U+0000).";

    public static IApplicationBuilder UseNulGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.QueryString.Value is { } query && query.Contains("%00", StringComparison.Ordinal))
        {
            await Problems.Create(400, "nul-character", Detail).ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    /// <summary>Whether a bound request object holds a NUL in any string, however deep (records, arrays, lists).</summary>
    public static bool Holds(object? value, int depth = 0)
    {
        switch (value)
        {
            case null:
                return false;
            case string s:
                return s.Contains('\0');
            case IQueryable:
                return false; // never enumerate a database set
            case IEnumerable items:
                foreach (var item in items)
                {
                    if (depth < 8 && Holds(item, depth + 1))
                    {
                        return true;
                    }
                }
                return false;
        }
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is Guid or DateTimeOffset or DateTime or decimal || depth >= 8 || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
        {
            return false;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && Holds(property.GetValue(value), depth + 1))
            {
                return true;
            }
        }
        return false;
    }
}
