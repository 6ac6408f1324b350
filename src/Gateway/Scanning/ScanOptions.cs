namespace VendorGate.Gateway.Scanning;

/// <summary>The scan policy.</summary>
public sealed class ScanOptions
{
    public const string Section = "VendorGate:Scan";

    /// <summary>Severity per finding code, overriding the scanner's default (info, warn or block).</summary>
    public Dictionary<string, string> Severity { get; set; } = [];
}
