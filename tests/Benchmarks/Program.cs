using VendorGate.Benchmarks;

// Performance benchmarks, run on demand (not in CI): bash scripts/bench.sh ingest|scan [examples] or corpus
var usage = "usage: VendorGate.Benchmarks ingest|scan|corpus <gateway.dll> [examples=1000000] [workdir=/tmp/vendorgate-bench]";
if (args is ["corpus", var gatewayDll, ..])
{
    var dir = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(dir);
    return await CorpusBenchmark.RunAsync(Path.GetFullPath(gatewayDll), dir);
}
if (args is ["scan", var scanDll, ..])
{
    var scanDir = args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), "vendorgate-bench");
    Directory.CreateDirectory(scanDir);
    return await ScanBenchmark.RunAsync(Path.GetFullPath(scanDll), args.Length > 2 ? int.Parse(args[2]) : 1_000_000, scanDir);
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
