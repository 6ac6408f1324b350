using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using VendorGate.Client;

namespace VendorGate.Cli;

/// <summary>The exit codes, documented in the README ("The vendorgate CLI").</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The answer is no: the file has invalid lines, or the batch ended rejected, revoked or quarantined.</summary>
    public const int Failed = 1;

    /// <summary>The command line or a local file is wrong (nothing was sent).</summary>
    public const int Usage = 2;

    /// <summary>The Gateway refused the request (a 4xx problem: the key, a permission, a conflict).</summary>
    public const int Refused = 3;

    /// <summary>The Gateway could not be reached or failed (a 5xx, a dropped connection): run the command again.</summary>
    public const int Unavailable = 4;

    /// <summary>Interrupted (Ctrl+C); an upload resumes when run again.</summary>
    public const int Interrupted = 130;
}

/// <summary>A mistake on the command line or in a local file, said as it should be fixed.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Where a command says what it found. People get lines and tables on stdout and progress on stderr (a live bar on a
/// terminal, one line per step otherwise, so logs stay readable); with <c>--json</c> a pipeline gets exactly one JSON
/// document on stdout, errors included (<c>{"error": {status, code, detail}}</c>), and progress stays on stderr.
/// </summary>
public sealed class Shell(bool json)
{
    private static readonly JsonSerializerOptions Document = new(VendorGateClient.Json) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool Json => json;

    public IAnsiConsole Out { get; } = Create(Console.Out, Console.IsOutputRedirected);

    public IAnsiConsole Error { get; } = Create(Console.Error, Console.IsErrorRedirected);

    /// <summary>Whether a live progress bar can be drawn (stderr is a terminal and the output is for people).</summary>
    public bool Interactive => !json && !Console.IsErrorRedirected && Error.Profile.Capabilities.Interactive;

    /// <summary>The command's result: the document under <c>--json</c>, else what <paramref name="human"/> prints.</summary>
    public void Result(object document, Action<IAnsiConsole> human)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(document, Document));
        }
        else
        {
            human(Out);
        }
    }

    /// <summary>A step of progress on stderr (not drawn when a live bar is).</summary>
    public void Progress(string line) => Console.Error.WriteLine(line);

    /// <summary>Runs a command, turning what can go wrong into a message and its exit code.</summary>
    public async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (UsageException e)
        {
            return Fail(ExitCodes.Usage, "usage", 0, e.Message);
        }
        catch (VendorGateProblemException e)
        {
            var exit = (int)e.Status >= 500 ? ExitCodes.Unavailable : ExitCodes.Refused;
            return Fail(exit, e.Code is { Length: > 0 } code ? code : e.Status.ToString(), (int)e.Status, e.Detail);
        }
        catch (HttpRequestException e)
        {
            return Fail(ExitCodes.Unavailable, "unreachable", (int?)e.StatusCode ?? 0, $"The Gateway could not be reached: {e.Message}");
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            return Fail(ExitCodes.Unavailable, "timeout", 0, $"The Gateway did not answer in time: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            return Fail(ExitCodes.Interrupted, "interrupted", 0, "Interrupted; an upload resumes where it stopped when run again.");
        }
        catch (TimeoutException e)
        {
            return Fail(ExitCodes.Unavailable, "timeout", 0, e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return Fail(ExitCodes.Usage, "file", 0, e.Message);
        }
    }

    private int Fail(int exit, string code, int status, string detail)
    {
        if (json)
        {
            Console.Out.WriteLine(new JsonObject { ["error"] = new JsonObject { ["status"] = status, ["code"] = code, ["detail"] = detail } }.ToJsonString(Document));
        }
        else
        {
            Console.Error.WriteLine($"error: {(status > 0 ? $"{status} " : "")}{code}: {detail}");
        }
        return exit;
    }

    /// <summary>A console on <paramref name="writer"/>; redirected to a file or pipe, it is 160 columns wide rather than 80.</summary>
    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected)
        {
            console.Profile.Width = 160;
        }
        return console;
    }

    /// <summary>An HTTP client for the profile's Gateway: the key goes in the Authorization header only.</summary>
    public static VendorGateClient Connect(Profile profile) =>
        new(new HttpClient { BaseAddress = new Uri(profile.Gateway), Timeout = TimeSpan.FromMinutes(30) }, profile.Key);

    /// <summary>True for a problem the server reports as not found or gone.</summary>
    public static bool IsGone(VendorGateProblemException e) => e.Status is HttpStatusCode.NotFound or HttpStatusCode.Gone;
}
