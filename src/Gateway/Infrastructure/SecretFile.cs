namespace VendorGate.Gateway.Infrastructure;

/// <summary>Files only the service account may read (mode 0600 on Unix): keys, and blobs of the embedded default.</summary>
public static class SecretFile
{
    public static FileStreamOptions Options(FileMode mode, FileOptions options = FileOptions.None)
    {
        var result = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Options = options, BufferSize = 1 << 16 };
        if (!OperatingSystem.IsWindows())
        {
            result.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return result;
    }

    public static async Task WriteAsync(string path, string text, CancellationToken cancellationToken = default)
    {
        await using (var file = new FileStream(path, Options(FileMode.Create)))
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteAsync(text.AsMemory(), cancellationToken);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // also when the file existed
        }
    }
}
