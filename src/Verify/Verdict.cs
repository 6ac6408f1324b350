using System.Text.Json;
using System.Text.Json.Nodes;

namespace VendorGate.Verify;

/// <summary>What a verification found, said once: each check on its own line as it is made, then, as the last line,
/// the verdict: <c>VALID: …</c> only when every check passed, otherwise <c>INVALID: &lt;the first failure&gt;</c>, with
/// the exit code to match. With <c>--json</c>, one JSON document instead: {valid, verdict, checks, statement}.</summary>
internal sealed class Verdict(TextWriter output, bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly List<(string Check, bool Ok, string Detail)> _checks = [];

    /// <summary>The attested statement, printed after the verdict when the signatures verified.</summary>
    public JsonNode? Statement { get; set; }

    public bool Failed => _checks.Any(c => !c.Ok);

    /// <summary>A line of information that is not a check (what was computed).</summary>
    public void Note(string line)
    {
        if (!json)
        {
            output.WriteLine(line);
        }
    }

    public void Check(string check, bool ok, string detail)
    {
        _checks.Add((check, ok, detail));
        if (!json)
        {
            output.WriteLine($"{check}: {detail}");
        }
    }

    /// <summary>Ends the output with the verdict and returns the exit code (0 valid, 1 invalid).</summary>
    public int Finish(string whenValid)
    {
        var failure = _checks.FirstOrDefault(c => !c.Ok);
        var verdict = failure.Check is null ? $"VALID: {whenValid}" : $"INVALID: {failure.Check}: {failure.Detail}";
        if (json)
        {
            output.WriteLine(new JsonObject
            {
                ["valid"] = failure.Check is null,
                ["verdict"] = verdict,
                ["checks"] = new JsonArray(_checks.Select(c => (JsonNode)new JsonObject { ["check"] = c.Check, ["ok"] = c.Ok, ["detail"] = c.Detail }).ToArray()),
                ["statement"] = failure.Check is null ? Statement?.DeepClone() : null,
            }.ToJsonString(Indented));
        }
        else
        {
            if (failure.Check is null && Statement is not null)
            {
                output.WriteLine(Statement.ToJsonString(Indented));
            }
            output.WriteLine(verdict);
        }
        return failure.Check is null ? Verifier.Valid : Verifier.Invalid;
    }

    /// <summary>The input could not be read or used: exit 2, and the last line still says it is not valid.</summary>
    public int Error(string message)
    {
        if (json)
        {
            output.WriteLine(new JsonObject { ["valid"] = false, ["verdict"] = $"INVALID: {message}", ["error"] = message }.ToJsonString(Indented));
        }
        else
        {
            output.WriteLine($"error: {message}");
            output.WriteLine($"INVALID: {message}");
        }
        return Verifier.UsageError;
    }
}
