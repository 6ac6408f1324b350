using Spectre.Console;
using VendorGate.Corpus;

namespace VendorGate.Cli;

/// <summary><c>vendorgate check FILE</c>: the Gateway's verdict on a file, computed here, before anything is sent.</summary>
public static class Check
{
    public static async Task<int> RunAsync(Shell shell, string file, IReadOnlyList<string> domains, int maxLineBytes, string? digestsFile, CancellationToken ct)
    {
        await using var digests = digestsFile is null ? null : File.Create(digestsFile);
        var result = await LocalCheck.RunAsync(file, domains, IngestLimits.Default with { MaxLineBytes = maxLineBytes }, digests, ct);
        return Report(shell, result);
    }

    /// <summary>Prints the verdict: the digest and count when valid (exit 0), else the Gateway's problem and the invalid
    /// lines (exit 1).</summary>
    public static int Report(Shell shell, CheckResult result)
    {
        var refused = result.Outcome.Refused;
        shell.Result(new
        {
            valid = result.Valid, digest = result.Digest, count = result.Count, gzip = result.Gzip,
            error = refused is null ? null : new { refused.Status, refused.Code, refused.Detail },
            lines = result.Errors,
        }, console =>
        {
            if (refused is null)
            {
                console.WriteLine($"valid    {result.Count} example(s)");
                console.WriteLine($"digest   {result.Digest}");
                return;
            }
            console.WriteLine($"invalid  {refused.Status} {refused.Code}: {refused.Detail}");
            if (result.Errors.Count > 0)
            {
                var table = new Table().AddColumn("line").AddColumn("reason");
                foreach (var error in result.Errors)
                {
                    table.AddRow(error.Line.ToString(), Markup.Escape(error.Reason));
                }
                console.Write(table);
            }
        });
        return result.Valid ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
