using System.Runtime.InteropServices;

namespace VendorGate.Gateway.Infrastructure;

/// <summary>
/// glibc's allocator gives a thread that finds it busy an arena of its own (up to eight per core) and keeps what is
/// freed there for reuse, so a Gateway whose scans and ingests run native code (SQLite, zlib, OpenSSL) on many pool
/// threads holds more memory round after round. <see cref="Limit"/> caps the arenas, as <c>MALLOC_ARENA_MAX</c> in the
/// environment would at start (an operator's own value of that variable is left to glibc), for the threads that ask
/// for one from then on: called first thing in <c>Program</c>, that is all of the pool's. Elsewhere (not Linux, not
/// glibc) it does nothing.
/// </summary>
internal static class MallocArenas
{
    private const int ArenaMax = -8; // M_ARENA_MAX

    public static void Limit(int arenas)
    {
        if (!OperatingSystem.IsLinux() || arenas <= 0 || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 })
        {
            return;
        }
        try
        {
            mallopt(ArenaMax, arenas);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // A C library without glibc's tunables (musl): nothing to cap.
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}
