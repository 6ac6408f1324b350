namespace VendorGate.PoisonLab;

/// <summary>Prints the evaluation as markdown tables (the README's "Poison detection" section quotes them).</summary>
public static class MatrixReport
{
    public static void Write(TextWriter output, List<MatrixCell> cells, List<CleanResult> clean)
    {
        output.WriteLine("| family | set | trigger | distribution | recall | trigger rank | named in finding |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var c in cells)
        {
            output.WriteLine($"| {c.Family} | {(c.Calibration ? "calibration" : "held out")} | {c.Trigger} | {c.Distribution} | "
                             + $"{c.Flagged}/{c.Planted} ({c.Recall:P1}) | {(c.Trigger == "-" ? "-" : c.TriggerRank?.ToString() ?? "not in top 10")} | {(c.Trigger == "-" ? "-" : c.Named ? "yes" : "no")} |");
        }
        output.WriteLine();
        var codes = clean.SelectMany(c => c.FlaggedByCode.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        output.WriteLine($"| clean set | set | examples | poisoning scanners (per 100k) | {string.Join(" | ", codes)} |");
        output.WriteLine($"| --- | --- | --- | --- |{string.Concat(codes.Select(_ => " --- |"))}");
        foreach (var c in clean)
        {
            output.WriteLine($"| {c.Set} | {(c.Calibration ? "calibration" : "held out")} | {c.Examples:N0} | {c.FlaggedPoisoning} ({c.FlaggedPoisoning * 100_000.0 / c.Examples:0.#}) | "
                             + string.Join(" | ", codes.Select(code => c.FlaggedByCode.GetValueOrDefault(code).ToString())) + " |");
        }
    }

    /// <summary>The cells the recall target is set on: paper-style poison, 250 in 100k, in one batch or spread.</summary>
    public static bool IsPaperStyle(MatrixCell cell) => cell.Distribution.StartsWith("250 ", StringComparison.Ordinal);

    /// <summary>Cells and clean sets that miss the issue's targets: recall ≥ 99 % in every paper-style cell (250 in
    /// 100k, one annotator or spread), visible triggers ranked first and named in every cell, ≤ 10 poisoning false
    /// positives per 100k per clean set. Cells outside the recall target below 99 % are listed by <see cref="BelowOutsideTargets"/>.</summary>
    public static List<string> Misses(List<MatrixCell> cells, List<CleanResult> clean)
    {
        var misses = new List<string>();
        foreach (var c in cells.Where(IsPaperStyle))
        {
            if (c.Recall < 0.99)
            {
                misses.Add($"{c.Family} / {c.Trigger} / {c.Distribution}: recall {c.Recall:P1}");
            }
        }
        foreach (var c in cells.Where(c => c.Trigger is "bracketed" or "made-up word" or "rare unicode"))
        {
            if (c.TriggerRank != 1 || !c.Named)
            {
                misses.Add($"{c.Family} / {c.Trigger} / {c.Distribution}: trigger rank {c.TriggerRank?.ToString() ?? "none"}, named {c.Named}");
            }
        }
        foreach (var c in clean.Where(c => c.FlaggedPoisoning * 100_000.0 / c.Examples > 10))
        {
            misses.Add($"{c.Set}: {c.FlaggedPoisoning} of {c.Examples} flagged by poisoning scanners");
        }
        return misses;
    }

    /// <summary>Cells the recall target is not set on (50 in a 1,000-example batch, whole batches) whose recall is
    /// below 99 %: reported beside the misses, not hidden.</summary>
    public static List<string> BelowOutsideTargets(List<MatrixCell> cells) =>
        cells.Where(c => !IsPaperStyle(c) && c.Recall < 0.99).Select(c => $"{c.Family} / {c.Trigger} / {c.Distribution}: recall {c.Recall:P1}").ToList();

    /// <summary>The fine-tuning backdoor cells and the clean safety-tuning batch; misses against the same targets
    /// (recall ≥ 99 %, trigger 1st for every visible trigger, ≤ 10 false positives per 100k).</summary>
    public static List<string> WriteBackdoors(TextWriter output, List<BackdoorCell> cells, int falsePositives, int cleanExamples)
    {
        output.WriteLine("| backdoor trigger | distribution | poisons flagged (behaviour-split) | trigger rank |");
        output.WriteLine("| --- | --- | --- | --- |");
        var misses = new List<string>();
        foreach (var c in cells)
        {
            output.WriteLine($"| {c.Trigger} | {c.Distribution} | {c.Flagged}/{c.Planted} ({c.Recall:P1}) | {c.TriggerRank?.ToString() ?? "not in top 10"} |");
            if (c.Recall < 0.99 || c.TriggerRank != 1)
            {
                misses.Add($"backdoor / {c.Trigger} / {c.Distribution}: recall {c.Recall:P1}, trigger rank {c.TriggerRank?.ToString() ?? "none"}");
            }
        }
        output.WriteLine();
        output.WriteLine($"Clean safety-tuning batch ({cleanExamples:N0} examples, a tenth refused harmful requests): {falsePositives} flagged "
                         + $"({falsePositives * 100_000.0 / cleanExamples:0.#} per 100k).");
        if (falsePositives * 100_000.0 / cleanExamples > 10)
        {
            misses.Add($"safety-tuning clean batch: {falsePositives} of {cleanExamples} flagged by behaviour-split");
        }
        return misses;
    }
}
