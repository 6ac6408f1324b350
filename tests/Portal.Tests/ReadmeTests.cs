using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace VendorGate.Portal.Tests;

/// <summary>The README is executable: every bash block marked <c>&lt;!-- readme-test --&gt;</c> runs as written, in order,
/// in one shell, against a Gateway on the embedded default in a fresh data folder; the outcomes its comments state are
/// checked here. A README edit that breaks a block fails this test.</summary>
public sealed partial class ReadmeTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("vg-readme-").FullName;
    private ServerProcess _gateway = null!;

    public async Task InitializeAsync() =>
        _gateway = await ServerProcess.StartAsync("Gateway", "/readyz", new Dictionary<string, string> { ["VendorGate__DataDir"] = _dataDir });

    /// <summary>The marked blocks, in README order.</summary>
    public static List<string> MarkedBlocks() =>
        MarkedBlock().Matches(File.ReadAllText(Path.Combine(ServerProcess.Root, "README.md"))).Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public async Task The_README_walk_through_runs_as_pasted_and_does_what_it_says()
    {
        var blocks = MarkedBlocks();
        Assert.True(blocks.Count >= 5, $"expected the quick start, the walk-through, co-signing and the auditor blocks; found {blocks.Count}");
        var script = Path.Combine(_dataDir, "readme.sh");
        await File.WriteAllTextAsync(script, "set -euo pipefail\n" + string.Join("\n", blocks));
        var start = new ProcessStartInfo("bash", [script]) { WorkingDirectory = ServerProcess.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["GW"] = _gateway.Address.ToString().TrimEnd('/');
        start.Environment["VG_DATA"] = _dataDir;
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(true);
            Assert.Fail($"the README's blocks did not finish in 8 minutes; output so far:\n{output}");
        }
        process.WaitForExit(); // the output is drained
        var text = output.ToString();
        Assert.True(process.ExitCode == 0, $"the README's blocks failed (exit {process.ExitCode}):\n{text}");

        Assert.Contains("\"status\":\"in-review\"", text);                 // quick start: the scanned batch awaits review
        Assert.Contains("\"valid\":true", text);                           // the audit chain verifies
        Assert.Contains("approved", text);                                 // the second person's approval
        Assert.Contains("\"handle\":\"ann-1\"", text);                     // blame names the annotator behind the model's example
        Assert.Matches("\"affectedModels\":\\[\\{[^\\]]*\"v2\\.3\"", text);    // the revocation names the model trained on it
        Assert.Contains("\n401\n", text);                                  // the revoked annotator's key is dead
        Assert.Contains("\"passed\":false", text);                         // a gate with no results fails closed
        Assert.Contains("    path: data/train-*", text);                   // the Parquet export's dataset card names the train split
        Assert.Contains("\"dataset_hasSensitivePersonalInformation\": \"", text); // the model's SPDX AI-BOM
        var verdicts = text.Split('\n').Where(l => l.StartsWith("VALID: ", StringComparison.Ordinal) || l.StartsWith("INVALID: ", StringComparison.Ordinal)).ToList();
        Assert.True(verdicts.Count >= 8 && verdicts.All(v => v.StartsWith("VALID: ", StringComparison.Ordinal)),
            $"every verification should end VALID:\n{string.Join("\n", verdicts)}\n\n{text}");
        Assert.Contains(verdicts, v => v.Contains("threshold 2")); // the vendor-co-signed receipt, both signatures
        var checkedByCli = CheckedDigest().Match(text).Groups[1].Value;            // vendorgate check: the digest before sending
        Assert.Matches($"\"batchId\":\"[^\"]+\",\"status\":\"received\",\"count\":2,\"digest\":\"{checkedByCli}\"", text); // …is what the upload got
        Assert.Contains("status   in-review", text);                       // vendorgate status --watch
        var received = ReceivedDigest().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.True(received.Count(d => d == received[0]) >= 2, // the quick start's PUT and the resumable upload's commit of the same file
            $"the resumable upload should commit to the single PUT's digest:\n{string.Join("\n", received)}");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [GeneratedRegex("digest   (sha256:[0-9a-f]{64})")]
    private static partial Regex CheckedDigest();

    [GeneratedRegex("\"status\":\"received\",\"count\":\\d+,\"digest\":\"(sha256:[0-9a-f]{64})\"")]
    private static partial Regex ReceivedDigest();

    [GeneratedRegex(@"<!-- readme-test -->\n```bash\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex MarkedBlock();
}
