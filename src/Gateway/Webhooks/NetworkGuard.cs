using System.Net;
using System.Net.Sockets;

namespace VendorGate.Gateway.Webhooks;

/// <summary>
/// Keeps webhooks off the Gateway's own network (SSRF): loopback, link-local (cloud metadata at 169.254.169.254),
/// private (RFC 1918, IPv6 unique-local), carrier-grade NAT, unspecified, multicast and reserved addresses are refused
/// unless <c>VendorGate:Webhooks:AllowPrivateNetworks</c>. Checked when a webhook is created and again on every
/// connection, against the addresses the name resolves to then, so a DNS answer that changes cannot slip through.
/// </summary>
public static class NetworkGuard
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xfe) == 0xfc                                   // fc00::/7 unique local
                || b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 // 2001:db8::/32 documentation
                || b[0] == 0x00);                                         // ::/8 (unspecified, v4-compatible)
        }
        var v4 = address.GetAddressBytes();
        return !(v4[0] is 0 or 10 or 127
            || v4[0] == 100 && (v4[1] & 0xc0) == 64        // 100.64.0.0/10 carrier-grade NAT
            || v4[0] == 169 && v4[1] == 254                // link-local, cloud metadata
            || v4[0] == 172 && (v4[1] & 0xf0) == 16        // 172.16.0.0/12
            || v4[0] == 192 && v4[1] == 168                // 192.168.0.0/16
            || v4[0] == 192 && v4[1] == 0 && v4[2] == 0    // 192.0.0.0/24 protocol assignments
            || v4[0] == 198 && (v4[1] & 0xfe) == 18        // 198.18.0.0/15 benchmarking
            || v4[0] >= 224);                              // multicast and reserved
    }

    /// <summary>The addresses <paramref name="host"/> resolves to, or why a webhook may not use them.</summary>
    public static async Task<(IPAddress[] Addresses, string? Refusal)> ResolveAsync(string host, bool allowPrivate, CancellationToken ct)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        }
        catch (SocketException e)
        {
            return ([], $"'{host}' does not resolve ({e.SocketErrorCode}).");
        }
        if (addresses.Length == 0)
        {
            return ([], $"'{host}' does not resolve.");
        }
        if (!allowPrivate && addresses.FirstOrDefault(a => !IsPublic(a)) is { } inside)
        {
            return (addresses, $"'{host}' resolves to {inside}, a loopback, link-local or private address; webhooks go to public addresses "
                + "(VendorGate:Webhooks:AllowPrivateNetworks allows others).");
        }
        return (addresses, null);
    }
}
