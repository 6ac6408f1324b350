namespace VendorGate.Gateway.Scanning;

/// <summary>An example's least coherent field of one side (0: prompts and user turns, 1: completions and assistant turns).</summary>
public readonly record struct IncoherentField(long Line, float Coherence, int Pairs, int Side);

/// <summary>Per side, the examples whose least coherent field is incoherent or too short to judge: flagged when the
/// batch turns out to be salad as a whole on that side, which a batch of salad does with every example. One bit per
/// line (125 KB a side for a million examples, where a queue of their measures took 67 MB), and the measures of the
/// first <see cref="Evidenced"/> lines of each side for the evidence. Thread-safe.</summary>
public sealed class IncoherentLines
{
    public const int Evidenced = ExampleHits.MaxEvidence * 4;

    private readonly long[][] _lines = [[], []];
    private readonly List<IncoherentField>[] _first = [[], []];

    /// <summary>Room for lines 1 to <paramref name="count"/>.</summary>
    public void Prepare(int count)
    {
        _lines[0] = new long[count / 64 + 1];
        _lines[1] = new long[count / 64 + 1];
    }

    public void Add(IncoherentField field)
    {
        Interlocked.Or(ref _lines[field.Side][field.Line >> 6], 1L << (int)(field.Line & 63));
        KeepIfFirst(field);
    }

    /// <summary>The lines of the sides in <paramref name="sides"/>, in order, and the first <see cref="Evidenced"/> of
    /// them (by line, then side) with their measures.</summary>
    public (IReadOnlyList<IncoherentField> Evidence, IEnumerable<(long Line, int Side)> Others, long Count) Of(bool[] sides)
    {
        var evidence = Enumerable.Range(0, 2).Where(side => sides[side]).SelectMany(side => _first[side])
            .OrderBy(f => f.Line).ThenBy(f => f.Side).Take(Evidenced).ToList();
        var shown = evidence.Select(f => (f.Line, f.Side)).ToHashSet();
        var count = Enumerable.Range(0, 2).Where(side => sides[side]).Sum(side => _lines[side].Sum(bits => (long)System.Numerics.BitOperations.PopCount((ulong)bits)));
        return (evidence, Enumerable.Range(0, 2).Where(side => sides[side]).SelectMany(side => LinesOf(side).Select(line => (line, side))).Where(x => !shown.Contains(x)), count);
    }

    public void Write(BinaryWriter writer)
    {
        for (var side = 0; side < 2; side++)
        {
            ShardState.WriteUsed(writer, _lines[side]);
            lock (_first[side])
            {
                writer.Write(_first[side].Count);
                foreach (var field in _first[side])
                {
                    writer.Write(field.Line);
                    writer.Write(field.Coherence);
                    writer.Write(field.Pairs);
                }
            }
        }
    }

    public void Merge(BinaryReader reader)
    {
        for (var side = 0; side < 2; side++)
        {
            ShardState.MergeUsed(reader, _lines[side], static (here, there) => here | there);
            for (var n = reader.ReadInt32(); n > 0; n--)
            {
                KeepIfFirst(new IncoherentField(reader.ReadInt64(), reader.ReadSingle(), reader.ReadInt32(), side));
            }
        }
    }

    private IEnumerable<long> LinesOf(int side)
    {
        var lines = _lines[side];
        for (var word = 0; word < lines.Length; word++)
        {
            for (var bits = (ulong)lines[word]; bits != 0; bits &= bits - 1)
            {
                yield return word * 64L + System.Numerics.BitOperations.TrailingZeroCount(bits);
            }
        }
    }

    /// <summary>Keeps <paramref name="field"/> if it is among the first <see cref="Evidenced"/> lines of its side so far.</summary>
    private void KeepIfFirst(IncoherentField field)
    {
        var first = _first[field.Side];
        lock (first)
        {
            if (first.Count < Evidenced)
            {
                first.Add(field);
                return;
            }
            var highest = 0;
            for (var i = 1; i < first.Count; i++)
            {
                highest = first[i].Line > first[highest].Line ? i : highest;
            }
            if (field.Line < first[highest].Line)
            {
                first[highest] = field;
            }
        }
    }
}
