using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace VendorGate.Gateway.Scanning;

/// <summary>Asks the processor to bring a value's cache line in without waiting for it (x86's prefetch instruction; nothing
/// elsewhere). A scanner that knows which entries of a large table it will read a few steps ahead asks for them
/// first, so the trips to memory overlap instead of following one another.</summary>
internal static class CacheHint
{
    /// <summary>A prefetch never faults and changes nothing: should the collector move the array between this and the
    /// read, a line was fetched for nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch<T>(ref T at)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref at));
        }
    }
}
