namespace VendorGate.Attest.Canonical;

/// <summary>The input cannot be put in RFC 8785 canonical form (not I-JSON: invalid UTF-8,
/// duplicate member names, lone surrogates, or numbers outside IEEE 754 double range).</summary>
public sealed class JsonCanonicalizationException(string message) : FormatException(message);
