using System.Text.Json;
using VendorGate.Client;

namespace VendorGate.Cli;

/// <summary>A Gateway and the API key to call it with.</summary>
public sealed record Profile(string Gateway, string Key);

/// <summary>
/// Where the CLI keeps what it must remember: <c>profiles.json</c> (Gateway URL and API key per profile) and the upload
/// sessions it may resume (<c>uploads/</c>). The folder is <c>$VENDORGATE_CONFIG_DIR</c>, else
/// <c>$XDG_CONFIG_HOME/vendorgate</c>, else <c>~/.config/vendorgate</c>; it is created 0700 and every file in it 0600,
/// because the profile holds a credential. <c>VENDORGATE_GATEWAY</c> and <c>VENDORGATE_API_KEY</c>, when both are set,
/// are used instead of a stored profile (for pipelines, whose secret store fills the environment).
/// </summary>
public sealed class ConfigFolder(string path)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = OwnerOnly | UnixFileMode.UserExecute;

    public string Path => path;

    public static ConfigFolder Default()
    {
        var configured = Environment.GetEnvironmentVariable("VENDORGATE_CONFIG_DIR");
        if (configured is { Length: > 0 })
        {
            return new ConfigFolder(configured);
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var root = xdg is { Length: > 0 } ? xdg : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return new ConfigFolder(System.IO.Path.Combine(root, "vendorgate"));
    }

    private string ProfilesFile => System.IO.Path.Combine(path, "profiles.json");

    public Profile Load(string name)
    {
        if (Environment.GetEnvironmentVariable("VENDORGATE_GATEWAY") is { Length: > 0 } gateway
            && Environment.GetEnvironmentVariable("VENDORGATE_API_KEY") is { Length: > 0 } key)
        {
            return new Profile(gateway, key);
        }
        var profiles = ReadProfiles();
        return profiles.TryGetValue(name, out var profile)
            ? profile
            : throw new UsageException($"No profile '{name}' in {ProfilesFile}: run `vendorgate login --gateway URL{(name == "default" ? "" : $" --profile {name}")}` first.");
    }

    public void Save(string name, Profile profile)
    {
        var profiles = ReadProfiles();
        profiles[name] = profile;
        WriteAtomically(ProfilesFile, JsonSerializer.SerializeToUtf8Bytes(profiles, VendorGateClient.Json));
    }

    /// <summary>A small JSON document kept under <c>uploads/</c> (an upload session to resume), or default.</summary>
    public T? ReadState<T>(string name)
    {
        var file = System.IO.Path.Combine(path, "uploads", name + ".json");
        return File.Exists(file) ? JsonSerializer.Deserialize<T>(File.ReadAllBytes(file), VendorGateClient.Json) : default;
    }

    public void WriteState<T>(string name, T state) =>
        WriteAtomically(System.IO.Path.Combine(path, "uploads", name + ".json"), JsonSerializer.SerializeToUtf8Bytes(state, VendorGateClient.Json));

    public void DeleteState(string name) => File.Delete(System.IO.Path.Combine(path, "uploads", name + ".json"));

    private Dictionary<string, Profile> ReadProfiles() =>
        File.Exists(ProfilesFile) ? JsonSerializer.Deserialize<Dictionary<string, Profile>>(File.ReadAllBytes(ProfilesFile), VendorGateClient.Json) ?? [] : [];

    /// <summary>Writes a temporary file created owner-only, then renames it over the target: a crash leaves the old
    /// file or the new one, and the credential is never readable by others, not even for a moment.</summary>
    private static void WriteAtomically(string file, byte[] content)
    {
        var folder = System.IO.Path.GetDirectoryName(file)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, OwnerOnlyFolder);
        }
        var temporary = file + ".tmp-" + Environment.ProcessId;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, file, overwrite: true);
    }
}
