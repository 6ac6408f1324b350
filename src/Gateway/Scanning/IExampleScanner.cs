using System.Collections.Concurrent;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

/// <summary>What one finding code means, with the severity a security team would want by default.</summary>
public sealed record FindingKind(string Code, string Severity, string Description);

/// <summary>A check run on every example of a received batch, in parallel over chunks of its content. Adding one
/// means adding one class; it is discovered at start-up and created once per scan.</summary>
public interface IExampleScanner
{
    IReadOnlyList<FindingKind> Kinds { get; }

    /// <summary>Scanners run on each example in this order; those that flag spans go before those that read them.</summary>
    int Order => 0;

    /// <summary>Loads what this scan needs (configuration, signatures) before the first example.</summary>
    ValueTask PrepareAsync(BatchScanContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called from several threads at once; report through <paramref name="hits"/>.</summary>
    void Inspect(ExampleText example, ExampleHits hits);

    /// <summary>True for a scanner that judges each example against statistics of the whole batch: it learns them in
    /// <see cref="Inspect"/> and judges in <see cref="InspectAgain"/>, a second pass over the content.</summary>
    bool NeedsSecondPass => false;

    void InspectAgain(ExampleText example, ExampleHits hits)
    {
    }

    /// <summary>Asked after the second pass: true for a scanner that must read every example once more (trigger discovery,
    /// to count how often the strings before spans flagged in the second pass occur). Usually false: no third read.</summary>
    bool NeedsFinalPass => false;

    void InspectFinal(ExampleText example, ExampleHits hits)
    {
    }

    /// <summary>Asked of each line of the content before the final pass parses it (<paramref name="json"/>, its bytes as
    /// stored): false only when <see cref="InspectFinal"/> would do nothing with that example. A line every scanner of the
    /// final pass declines is not parsed at all (trigger discovery's final pass looks for a few strings, which most
    /// lines of a large batch do not hold).</summary>
    bool ReadsFinal(ReadOnlySpan<byte> json) => true;

    /// <summary>After the last pass: a conclusion about the batch as a whole (word salad in examples each too short to
    /// judge alone), reported as hits on its examples.</summary>
    void Conclude(ExampleHits hits)
    {
    }

    /// <summary>After the conclusion, in a Gateway's scan job: drops what only the passes needed (the word-pair sketches
    /// of a 1M batch are 160 MB), so the batch scanners that run next do not add theirs on top of it.</summary>
    void ReleasePasses()
    {
    }

    /// <summary>A large batch's scan runs each pass on shards of its content apart (<see cref="ScanShardJob"/>): after pass
    /// <paramref name="pass"/> (1: <see cref="Inspect"/>, 2: <see cref="InspectAgain"/>, 3: <see cref="InspectFinal"/>) a
    /// shard writes what this scanner learned in that pass, and the merge adds every shard's into one scanner
    /// (<see cref="MergeState"/>), which then stands as if it had read the whole batch. A scanner that keeps nothing
    /// between examples but its hits writes nothing.</summary>
    void WriteState(int pass, BinaryWriter writer)
    {
    }

    /// <summary>Adds what <see cref="WriteState"/> wrote after pass <paramref name="pass"/> on another shard.</summary>
    void MergeState(int pass, BinaryReader reader)
    {
    }
}

/// <summary>Examples that matched, per finding code, with a short piece of evidence each. Thread-safe.</summary>
public sealed class ExampleHits
{
    public const int MaxEvidence = 5;
    private const int MaxEvidenceLength = 160;
    private readonly ConcurrentDictionary<string, Hits> _byCode = new();

    public void Add(FindingKind kind, long line, string evidence)
    {
        var hits = _byCode.GetOrAdd(kind.Code, _ => new Hits(kind));
        lock (hits)
        {
            hits.Lines.Add(line);
            if (hits.Evidence.Count < MaxEvidence * 4)
            {
                hits.Evidence.Add((line, evidence.Length > MaxEvidenceLength ? evidence[..MaxEvidenceLength] + "…" : evidence));
            }
        }
    }

    /// <summary>Room for <paramref name="lines"/> more hits of <paramref name="kind"/>: a scanner that adds a million
    /// at once says so, and the list does not grow (and leave its smaller copies behind) twenty times over.</summary>
    public void Reserve(FindingKind kind, long lines)
    {
        if (lines == 0)
        {
            return; // no hits, no finding
        }
        var hits = _byCode.GetOrAdd(kind.Code, _ => new Hits(kind));
        lock (hits)
        {
            hits.Lines.EnsureCapacity((int)Math.Min(int.MaxValue, hits.Lines.Count + lines));
        }
    }

    /// <summary>Examples with at least one hit, whatever the code.</summary>
    public long FlaggedExamples
    {
        get
        {
            // One bit per line (lines are numbered from 1 to the batch's count): a million flagged lines take 125 KB.
            var flagged = new ulong[1];
            foreach (var hits in _byCode.Values)
            {
                lock (hits)
                {
                    foreach (var line in hits.Lines)
                    {
                        var word = (int)(line >> 6);
                        if (word >= flagged.Length)
                        {
                            Array.Resize(ref flagged, Math.Max(word + 1, flagged.Length * 2));
                        }
                        flagged[word] |= 1UL << (int)(line & 63);
                    }
                }
            }
            return flagged.Sum(bits => (long)System.Numerics.BitOperations.PopCount(bits));
        }
    }

    /// <summary>Adds a note to the finding of <paramref name="code"/> (a batch scanner's conclusion about those
    /// examples, such as the trigger that precedes them): appended to its message, its evidence first.</summary>
    public void Annotate(string code, string note, IEnumerable<string> evidence)
    {
        if (_byCode.TryGetValue(code, out var hits))
        {
            lock (hits)
            {
                hits.Notes.Add((note, evidence.ToList()));
            }
        }
    }

    /// <summary>A finding about the batch as a whole, on no example: a check that could not judge the batch says so,
    /// so that no silence reads as a pass.</summary>
    public void AddBatchFinding(FindingKind kind, string note)
    {
        var hits = _byCode.GetOrAdd(kind.Code, _ => new Hits(kind));
        lock (hits)
        {
            hits.Notes.Add((note, []));
        }
    }

    /// <summary>Codes with at least one hit or batch finding.</summary>
    public IReadOnlyCollection<string> Codes => _byCode.Keys.ToList();

    public int CountOf(string code) => _byCode.TryGetValue(code, out var hits) ? hits.Lines.Count : 0;

    public IReadOnlySet<long> LinesOf(string code) => _byCode.TryGetValue(code, out var hits) ? hits.Lines.ToHashSet() : [];

    /// <summary>One finding per code: how many examples, the first lines, evidence from the first of them.</summary>
    public IEnumerable<ScanFinding> ToFindings() => _byCode.Values.OrderBy(h => h.Kind.Code).Select(h =>
    {
        var (count, first) = Distinct(h.Lines);
        var evidence = h.Notes.SelectMany(n => n.Evidence)
            .Concat(h.Evidence.OrderBy(e => e.Line).Take(MaxEvidence).Select(e => $"line {e.Line}: {e.Text}")).ToList();
        var about = count == 0 ? $"{h.Kind.Description}." : $"{h.Kind.Description}: {count} example(s), the first at line {first[0]}.";
        return new ScanFinding(h.Kind.Code, h.Kind.Severity, about + string.Concat(h.Notes.Select(n => " " + n.Note)), first, evidence);
    });

    /// <summary>How many distinct lines, and the first <see cref="BatchScanContext.MaxLinesPerFinding"/> of them in order.
    /// Sorts <paramref name="lines"/> in place (a copy of a million would be one more large array).</summary>
    private static (int Count, List<long> First) Distinct(List<long> lines)
    {
        lines.Sort();
        var (count, first) = (0, new List<long>());
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0 && lines[i] == lines[i - 1])
            {
                continue;
            }
            count++;
            if (first.Count < BatchScanContext.MaxLinesPerFinding)
            {
                first.Add(lines[i]);
            }
        }
        return (count, first);
    }

    /// <summary>Writes every code's hits, for a shard of a sharded scan.</summary>
    public void Write(BinaryWriter writer)
    {
        var all = _byCode.Values.OrderBy(h => h.Kind.Code, StringComparer.Ordinal).ToList();
        writer.Write(all.Count);
        foreach (var hits in all)
        {
            lock (hits)
            {
                writer.Write(hits.Kind.Code);
                writer.Write(hits.Kind.Severity);
                writer.Write(hits.Kind.Description);
                ShardState.Write(writer, hits.Lines, static (w, line) => w.Write(line));
                writer.Write(hits.Evidence.Count);
                foreach (var (line, text) in hits.Evidence)
                {
                    writer.Write(line);
                    writer.Write(text);
                }
                writer.Write(hits.Notes.Count);
                foreach (var (note, evidence) in hits.Notes)
                {
                    writer.Write(note);
                    ShardState.Write(writer, evidence, static (w, text) => w.Write(text));
                }
            }
        }
    }

    /// <summary>Adds the hits <see cref="Write"/> wrote on another shard.</summary>
    public void Merge(BinaryReader reader)
    {
        for (var codes = reader.ReadInt32(); codes > 0; codes--)
        {
            var kind = new FindingKind(reader.ReadString(), reader.ReadString(), reader.ReadString());
            var hits = _byCode.GetOrAdd(kind.Code, _ => new Hits(kind));
            lock (hits)
            {
                hits.Lines.AddRange(ShardState.Read(reader, static r => r.ReadInt64()));
                for (var n = reader.ReadInt32(); n > 0; n--)
                {
                    var evidence = (reader.ReadInt64(), reader.ReadString());
                    if (hits.Evidence.Count < MaxEvidence * 4)
                    {
                        hits.Evidence.Add(evidence);
                    }
                }
                for (var n = reader.ReadInt32(); n > 0; n--)
                {
                    hits.Notes.Add((reader.ReadString(), ShardState.Read(reader, static r => r.ReadString())));
                }
            }
        }
    }

    private sealed record Hits(FindingKind Kind)
    {
        public List<long> Lines { get; } = [];
        public List<(long Line, string Text)> Evidence { get; } = [];
        public List<(string Note, List<string> Evidence)> Notes { get; } = [];
    }
}
