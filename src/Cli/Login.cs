using System.Text;
using Spectre.Console;

namespace VendorGate.Cli;

/// <summary><c>vendorgate login</c>: stores a profile after checking the key against the Gateway. The key comes from a
/// file or from stdin (typed without echo on a terminal), never from the command line, where other users and shell
/// history would see it.</summary>
public static class Login
{
    public static async Task<int> RunAsync(Shell shell, ConfigFolder config, string profileName, string gateway, string? keyFile, CancellationToken ct)
    {
        if (!Uri.TryCreate(gateway, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--gateway is an http(s) URL, e.g. https://vendorgate.example.com (got '{gateway}').");
        }
        var key = (keyFile is null ? ReadKeyFromStdin() : await File.ReadAllTextAsync(keyFile, ct)).Trim();
        if (key.Length == 0)
        {
            throw new UsageException("No API key given: pipe it on stdin or give --key-file.");
        }
        var profile = new Profile(uri.ToString().TrimEnd('/'), key);
        var me = await Shell.Connect(profile).GetMeAsync(ct); // a wrong key is refused here (exit 3), not at the first upload
        config.Save(profileName, profile);
        shell.Result(new { profile = profileName, gateway = profile.Gateway, principal = me.Id, me.Handle, me.VendorId, me.Roles }, console =>
            console.WriteLine($"Logged in to {profile.Gateway} as {me.Handle} ({string.Join(", ", me.Roles)}); profile '{profileName}' saved in {config.Path}."));
        return ExitCodes.Ok;
    }

    private static string ReadKeyFromStdin()
    {
        if (Console.IsInputRedirected)
        {
            return Console.In.ReadLine() ?? "";
        }
        Console.Error.Write("API key: ");
        var key = new StringBuilder();
        for (var k = Console.ReadKey(intercept: true); k.Key != ConsoleKey.Enter; k = Console.ReadKey(intercept: true))
        {
            if (k.Key == ConsoleKey.Backspace && key.Length > 0)
            {
                key.Length--;
            }
            else if (!char.IsControl(k.KeyChar))
            {
                key.Append(k.KeyChar);
            }
        }
        Console.Error.WriteLine();
        return key.ToString();
    }
}
