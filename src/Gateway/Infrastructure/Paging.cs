using System.Buffers.Text;
using System.Linq.Expressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace VendorGate.Gateway.Infrastructure;

/// <summary>One page of a list; pass <see cref="NextCursor"/> back as <c>?cursor=</c> for the next.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor)
{
    public Page<TOut> Select<TOut>(Func<T, TOut> map) => new(Items.Select(map).ToList(), NextCursor);
}

/// <summary>Keyset paging over time-ordered (version 7) ids: the cursor is the last id seen.</summary>
public static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static int Limit(int? requested) => Math.Clamp(requested ?? DefaultLimit, 1, MaxLimit);

    public static string Encode(Guid lastId) => Base64Url.EncodeToString(lastId.ToByteArray());

    public static bool TryDecode(string? cursor, out Guid? lastId)
    {
        lastId = null;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }
        // 16 bytes are 22 characters unpadded; anything else is not ours. The OperationStatus overload reports bad
        // characters instead of throwing (TryDecodeFromChars throws FormatException on them).
        Span<byte> bytes = stackalloc byte[16];
        if (cursor.Length != 22 || Base64Url.DecodeFromChars(cursor, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 16)
        {
            return false;
        }
        lastId = new Guid(bytes);
        return true;
    }

    /// <summary>One page of <paramref name="query"/> in the order of its time-ordered ids (oldest first, or newest
    /// first), after the cursor's id; null for a cursor this API did not return (answer <see cref="BadCursor"/>).</summary>
    public static async Task<Page<T>?> ByIdAsync<T>(IQueryable<T> query, Expression<Func<T, Guid>> id, bool newestFirst, string? cursor, int? limit,
        CancellationToken ct)
    {
        if (!TryDecode(cursor, out var last))
        {
            return null;
        }
        if (last is { } after)
        {
            var compare = Expression.Call(id.Body, typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!, Captured(after));
            var beyond = newestFirst ? Expression.LessThan(compare, Expression.Constant(0)) : Expression.GreaterThan(compare, Expression.Constant(0));
            query = query.Where(Expression.Lambda<Func<T, bool>>(beyond, id.Parameters));
        }
        var take = Limit(limit);
        var rows = await (newestFirst ? query.OrderByDescending(id) : query.OrderBy(id)).Take(take + 1).ToListAsync(ct);
        var idOf = id.Compile();
        return BuildKeyed(rows, take, row => Encode(idOf(row)), row => row);
    }

    /// <summary>A value as a captured variable, so the database sees a parameter (one cached query plan for every page).</summary>
    private static Expression Captured<TValue>(TValue value) => ((Expression<Func<TValue>>)(() => value)).Body;

    /// <summary>Lists keyed by a name (canaries, models, snapshot versions): the cursor is the last key seen, opaque.</summary>
    public static string EncodeKey(string lastKey) => "k" + Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(lastKey));

    public static bool TryDecodeKey(string? cursor, out string? lastKey)
    {
        lastKey = null;
        if (string.IsNullOrEmpty(cursor))
        {
            return true;
        }
        if (cursor.Length is < 2 or > 700 || cursor[0] != 'k')
        {
            return false;
        }
        var bytes = new byte[Base64Url.GetMaxDecodedLength(cursor.Length - 1)];
        if (Base64Url.DecodeFromChars(cursor.AsSpan(1), bytes, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }
        try
        {
            lastKey = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
            return !lastKey.Contains('\0');
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }

    public static Page<TOut> BuildKeyed<TIn, TOut>(List<TIn> rowsPlusOne, int limit, Func<TIn, string> cursorOf, Func<TIn, TOut> map)
    {
        var more = rowsPlusOne.Count > limit;
        var rows = more ? rowsPlusOne[..limit] : rowsPlusOne;
        return new Page<TOut>(rows.Select(map).ToList(), more ? cursorOf(rows[^1]) : null);
    }

    /// <summary>One page of <paramref name="query"/> in the order of a string key (ordinal), after the cursor's key;
    /// null for a cursor this API did not return.</summary>
    public static async Task<Page<TOut>?> ByKeyAsync<T, TOut>(IQueryable<T> query, Expression<Func<T, string>> key, string? cursor, int? limit,
        Func<T, TOut> map, CancellationToken ct)
    {
        if (!TryDecodeKey(cursor, out var after))
        {
            return null;
        }
        if (after is not null)
        {
            var compare = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, key.Body, Captured(after));
            query = query.Where(Expression.Lambda<Func<T, bool>>(Expression.GreaterThan(compare, Expression.Constant(0)), key.Parameters));
        }
        var take = Limit(limit);
        var keyOf = key.Compile();
        return BuildKeyed(await query.OrderBy(key).Take(take + 1).ToListAsync(ct), take, row => EncodeKey(keyOf(row)), map);
    }

    public static ValidationProblem BadCursor() => Problems.Invalid("cursor", "The cursor is not one this API returned.");
}
