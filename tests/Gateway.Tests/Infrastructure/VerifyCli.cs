using System.Diagnostics;

namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>Runs the built <c>vendorgate-verify</c> as a user would, as a process.</summary>
public static class VerifyCli
{
    public static (int Code, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "vendorgate-verify.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
