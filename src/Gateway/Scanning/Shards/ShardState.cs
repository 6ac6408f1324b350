using System.Collections.Concurrent;

namespace VendorGate.Gateway.Scanning;

/// <summary>The pieces scanners write their state from (<see cref="IExampleScanner.WriteState"/>) and merge it back with:
/// lists, counts and candidate lines. Every reader adds what it reads to what is there.</summary>
internal static class ShardState
{
    public static void Write<T>(BinaryWriter writer, IReadOnlyCollection<T> values, Action<BinaryWriter, T> write)
    {
        writer.Write(values.Count);
        foreach (var value in values)
        {
            write(writer, value);
        }
    }

    public static List<T> Read<T>(BinaryReader reader, Func<BinaryReader, T> read)
    {
        var values = new List<T>(reader.ReadInt32());
        for (var i = values.Capacity; i > 0; i--)
        {
            values.Add(read(reader));
        }
        return values;
    }

    public static void Write<TKey>(BinaryWriter writer, ConcurrentDictionary<TKey, int> counts, Action<BinaryWriter, TKey> writeKey) where TKey : notnull
    {
        var all = counts.ToArray();
        writer.Write(all.Length);
        foreach (var (key, count) in all)
        {
            writeKey(writer, key);
            writer.Write(count);
        }
    }

    public static void Merge<TKey>(BinaryReader reader, ConcurrentDictionary<TKey, int> counts, Func<BinaryReader, TKey> readKey) where TKey : notnull
    {
        for (var n = reader.ReadInt32(); n > 0; n--)
        {
            var (key, count) = (readKey(reader), reader.ReadInt32());
            counts.AddOrUpdate(key, count, (_, c) => c + count);
        }
    }

    public static void Write(BinaryWriter writer, ConcurrentDictionary<string, CandidateLines> candidates)
    {
        var all = candidates.ToArray();
        writer.Write(all.Length);
        foreach (var (ngram, lines) in all)
        {
            writer.Write(ngram);
            lines.Write(writer);
        }
    }

    /// <summary>Adds candidates; new ones only while the map holds fewer than <paramref name="max"/> (its cap, as
    /// when counted in one process), counted in <paramref name="distinct"/>.</summary>
    public static void Merge(BinaryReader reader, ConcurrentDictionary<string, CandidateLines> candidates, ref int distinct, int max)
    {
        for (var n = reader.ReadInt32(); n > 0; n--)
        {
            var ngram = reader.ReadString();
            if (!candidates.TryGetValue(ngram, out var lines))
            {
                lines = new CandidateLines();
                if (distinct < max && candidates.TryAdd(ngram, lines))
                {
                    distinct++;
                }
            }
            lines.Merge(reader); // a candidate past the cap is read and dropped
        }
    }

    /// <summary>Writes the part of <paramref name="values"/> between its first and last non-zero element: a shard fills
    /// only its own lines' slots of an array sized for the batch.</summary>
    public static void WriteUsed<T>(BinaryWriter writer, T[] values) where T : unmanaged, IEquatable<T>
    {
        var from = values.AsSpan().IndexOfAnyExcept(default(T));
        var to = values.AsSpan().LastIndexOfAnyExcept(default(T)) + 1;
        from = Math.Max(0, from);
        writer.Write(values.Length);
        writer.Write(from);
        writer.Write(Math.Max(0, to - from));
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan(from, Math.Max(0, to - from))));
    }

    /// <summary>Reads what <see cref="WriteUsed"/> wrote into the same slots, combining each with what is there.</summary>
    public static void MergeUsed<T>(BinaryReader reader, T[] values, Func<T, T, T> combine) where T : unmanaged
    {
        var (length, from, count) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        if (length != values.Length || from + count > values.Length)
        {
            throw new InvalidDataException($"A shard's {length} slots do not fit the batch's {values.Length}.");
        }
        var read = new T[count];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(read.AsSpan()));
        for (var i = 0; i < count; i++)
        {
            values[from + i] = combine(values[from + i], read[i]);
        }
    }
}
