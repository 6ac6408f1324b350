using VendorGate.Benchmarks;

// Performance benchmarks, run on demand (not in CI): bash scripts/bench.sh ingest|scan [examples] or corpus
var usage = "usage: VendorGate.Benchmarks ingest|scan|corpus|export|cold|manifest|memory <gateway.dll> [examples=1000000 (manifest: 10000000)] [workdir=/tmp/vendorgate-bench] (memory: [rounds=10])\n"
            + "       VendorGate.Benchmarks load <gateway.dll> [vendors=50] [seconds=60] [gateways=1] [workers=0] [backend=embedded|production] [lines=1000]\n"
            + "       VendorGate.Benchmarks reference <output.bin.gz> | poison [quick] [families=a,b] | scanners [examples=20000] [rounds=5] [only=name] [together] (CORPUS=realistic)";
if (args is ["poison", ..])
{
    var quick = args.Contains("quick");
    // families=a,b: those families' cells alone (with their seeds of the whole lane), the clean sets, no backdoors.
    var only = args.FirstOrDefault(a => a.StartsWith("families=", StringComparison.Ordinal))?["families=".Length..].Split(',').ToHashSet();
    var corpora = VendorGate.PoisonLab.Corpora.Shared;
    var matrix = new VendorGate.PoisonLab.PoisonMatrix(corpora, new VendorGate.PoisonLab.CleanSets(corpora), Console.Error);
    var watch = System.Diagnostics.Stopwatch.StartNew();
    var (cells, clean) = matrix.Run(quick, only);
    VendorGate.PoisonLab.MatrixReport.Write(Console.Out, cells, clean);
    var misses = VendorGate.PoisonLab.MatrixReport.Misses(cells, clean);
    Console.WriteLine();
    if (only is null)
    {
        var (backdoorCells, backdoorFalse, backdoorClean) = new VendorGate.PoisonLab.Backdoors(corpora).Run(quick, Console.Error);
        misses.AddRange(VendorGate.PoisonLab.MatrixReport.WriteBackdoors(Console.Out, backdoorCells, backdoorFalse, backdoorClean));
    }
    Console.WriteLine($"\n{misses.Count} target(s) missed in {watch.Elapsed.TotalMinutes:0.0} min{(misses.Count > 0 ? ":" : ".")}");
    misses.ForEach(m => Console.WriteLine($"- {m}"));
    var below = VendorGate.PoisonLab.MatrixReport.BelowOutsideTargets(cells);
    Console.WriteLine($"\n{below.Count} cell(s) outside the recall target (50 in 1,000, whole batches) below 99 %{(below.Count > 0 ? ":" : ".")}");
    below.ForEach(m => Console.WriteLine($"- {m}"));
    return 0;
}
if (args is ["backdoors", ..])
{
    var (backdoorCells, backdoorFalse, backdoorClean) = new VendorGate.PoisonLab.Backdoors(VendorGate.PoisonLab.Corpora.Shared).Run(quick: !args.Contains("full"), Console.Error);
    var backdoorMisses = VendorGate.PoisonLab.MatrixReport.WriteBackdoors(Console.Out, backdoorCells, backdoorFalse, backdoorClean);
    backdoorMisses.ForEach(m => Console.WriteLine($"- {m}"));
    return 0;
}
if (args is ["salad", ..])
{
    VendorGate.PoisonLab.SaladExplore.Run();
    return 0;
}
if (args is ["explore", ..])
{
    VendorGate.PoisonLab.Explore.Run(int.Parse(Environment.GetEnvironmentVariable("CLEAN") ?? "3000"));
    return 0;
}
if (args is ["reference", var output, ..])
{
    var (locales, characters) = VendorGate.PoisonLab.ReferenceBuilder.Build(output);
    Console.WriteLine($"{output}: {locales} locales, {characters:N0} characters, {new FileInfo(output).Length:N0} bytes");
    return 0;
}
if (args is ["corpus", var gatewayDll, ..])
{
    var dir = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(dir);
    return await CorpusBenchmark.RunAsync(Path.GetFullPath(gatewayDll), dir);
}
if (args is ["cold", var coldDll, ..])
{
    var coldDir = args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(coldDir);
    return await ColdBenchmark.RunAsync(Path.GetFullPath(coldDll), args.Length > 2 ? int.Parse(args[2]) : 1_000_000, coldDir);
}
if (args is ["export", var exportDll, ..])
{
    var exportDir = args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(exportDir);
    return await ExportBenchmark.RunAsync(Path.GetFullPath(exportDll), args.Length > 2 ? int.Parse(args[2]) : 1_000_000, exportDir);
}
if (args is ["load", var loadDll, ..])
{
    var loadDir = Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(loadDir);
    return await LoadBenchmark.RunAsync(Path.GetFullPath(loadDll), LoadBenchmark.Options.Parse(args[2..]), loadDir);
}
if (args is ["manifest", _, ..])
{
    var manifestDir = args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(manifestDir);
    return await ManifestBenchmark.RunAsync(args.Length > 2 ? long.Parse(args[2]) : 10_000_000, manifestDir);
}
if (args is ["auth", var authDll, ..])
{
    return await AuthBenchmark.RunAsync(Path.GetFullPath(authDll), Path.Combine(Path.GetTempPath(), "vendorgate-bench"), args.Length > 2 ? int.Parse(args[2]) : 5000);
}
if (args is ["scan-workers", var workersDll, ..])
{
    var workersDir = Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(workersDir);
    return await ScanWorkersBenchmark.RunAsync(Path.GetFullPath(workersDll), args.Skip(2).FirstOrDefault(a => !a.Contains('=')) is { } n ? int.Parse(n) : 1_000_000,
        pinned: args.Contains("cores=1"), workersDir);
}
if (args is ["memory", var memoryDll, ..])
{
    var memoryDir = Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(memoryDir);
    // [examples] [rounds=10], as the usage and the README write them (a bare second number is taken as the rounds too).
    var numbers = args.Skip(2).Where(a => !a.Contains('=')).Select(int.Parse).ToList();
    var rounds = args.FirstOrDefault(a => a.StartsWith("rounds=", StringComparison.Ordinal)) is { } r ? int.Parse(r["rounds=".Length..])
        : numbers.Count > 1 ? numbers[1] : 10;
    return await MemoryBenchmark.RunAsync(Path.GetFullPath(memoryDll), numbers.Count > 0 ? numbers[0] : 1_000_000, rounds, memoryDir);
}
if (args is ["scanners", ..])
{
    var costDir = Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(costDir);
    var costNumbers = args.Skip(1).Where(a => a.All(char.IsAsciiDigit)).Select(int.Parse).ToList();
    var costRounds = args.FirstOrDefault(a => a.StartsWith("rounds=", StringComparison.Ordinal)) is { } cr ? int.Parse(cr["rounds=".Length..]) : 5;
    return ScannerCostBenchmark.Run(costNumbers.Count > 0 ? costNumbers[0] : 20_000, costRounds, costDir, Environment.GetEnvironmentVariable("CORPUS") ?? "realistic",
        args.FirstOrDefault(a => a.StartsWith("only=", StringComparison.Ordinal))?["only=".Length..], togetherOnly: args.Contains("together"));
}
if (args is ["scan", var scanDll, ..])
{
    var scanDir = args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(scanDir);
    return await ScanBenchmark.RunAsync(Path.GetFullPath(scanDll), args.Length > 2 ? int.Parse(args[2]) : 1_000_000, scanDir,
        kind: Environment.GetEnvironmentVariable("CORPUS") ?? "reference");
}
if (args is not ["ingest", var dll, ..])
{
    Console.Error.WriteLine(usage);
    return 2;
}
var count = args.Length > 2 ? int.Parse(args[2]) : 1_000_000;
var workDir = args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), "vendorgate-bench");
Directory.CreateDirectory(workDir);
return await IngestBenchmark.RunAsync(Path.GetFullPath(dll), count, workDir);
