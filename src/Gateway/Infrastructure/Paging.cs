using System.Buffers.Text;

namespace VendorGate.Gateway.Infrastructure;

/// <summary>One page of a list; pass <see cref="NextCursor"/> back as <c>?cursor=</c> for the next.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

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

    public static Page<TOut> Build<TIn, TOut>(List<TIn> rowsPlusOne, int limit, Func<TIn, Guid> id, Func<TIn, TOut> map)
    {
        var more = rowsPlusOne.Count > limit;
        var rows = more ? rowsPlusOne[..limit] : rowsPlusOne;
        return new Page<TOut>(rows.Select(map).ToList(), more ? Encode(id(rows[^1])) : null);
    }
}
