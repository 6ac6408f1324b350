using System.Text;

namespace VendorGate.Attest.Dsse;

/// <summary>DSSE pre-authentication encoding: the bytes that are actually signed.</summary>
public static class Pae
{
    /// <summary><c>"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body</c>, lengths as ASCII decimal byte counts.</summary>
    public static byte[] Encode(string payloadType, ReadOnlySpan<byte> payload)
    {
        var type = Encoding.UTF8.GetBytes(payloadType);
        var header = Encoding.ASCII.GetBytes($"DSSEv1 {type.Length} ");
        var middle = Encoding.ASCII.GetBytes($" {payload.Length} ");
        var result = new byte[header.Length + type.Length + middle.Length + payload.Length];
        header.CopyTo(result, 0);
        type.CopyTo(result, header.Length);
        middle.CopyTo(result, header.Length + type.Length);
        payload.CopyTo(result.AsSpan(header.Length + type.Length + middle.Length));
        return result;
    }
}
