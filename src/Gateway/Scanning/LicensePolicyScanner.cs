using Microsoft.Extensions.Options;
using VendorGate.Gateway.Batches;

namespace VendorGate.Gateway.Scanning;

public sealed class LicensePolicyOptions
{
    public const string Section = "VendorGate:Scan:Licenses";

    /// <summary>SPDX identifiers whose terms allow training and redistribution of the result; configured, the list
    /// replaces <see cref="DefaultAllow"/> (applied only when none is configured: binding appends to an array it finds).</summary>
    public string[] Allow { get; set; } = [];

    /// <summary>Identifiers that rule training out (non-commercial, no derivatives) or need legal review first; configured,
    /// the list replaces <see cref="DefaultDeny"/>.</summary>
    public string[] Deny { get; set; } = [];

    public static readonly string[] DefaultAllow =
    [
        "MIT", "MIT-0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "Zlib", "0BSD", "Unlicense", "CC0-1.0", "CC-BY-3.0",
        "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "ODC-By-1.0", "ODbL-1.0", "PDDL-1.0", "CDLA-Permissive-1.0",
        "CDLA-Permissive-2.0", "CDLA-Sharing-1.0", "LicenseRef-internal",
    ];

    public static readonly string[] DefaultDeny =
    [
        "CC-BY-NC-4.0", "CC-BY-NC-3.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-SA-3.0", "CC-BY-ND-4.0", "CC-BY-ND-3.0", "CC-BY-NC-ND-4.0",
        "CC-BY-NC-ND-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "SSPL-1.0", "BUSL-1.1",
    ];
}

/// <summary>The batch's declared SPDX expression against the licence policy: under OR the best branch counts, under AND
/// every part must be allowed. A denied licence blocks, and so does one the policy does not know (someone must decide).</summary>
public sealed class LicensePolicyScanner(IOptions<LicensePolicyOptions> options) : IBatchScanner
{
    public const string DeniedCode = "license-denied", UnknownCode = "license-unknown";

    public Task<IReadOnlyList<ScanFinding>> ScanAsync(BatchScanContext context, CancellationToken cancellationToken)
    {
        var policy = options.Value;
        var license = context.Batch.License;
        if (!LicenseExpression.TryParse(license, out var ids, out var tree, out var error))
        {
            return Result(new ScanFinding(UnknownCode, Severity.Block, $"The licence expression cannot be read: {error}.", [], [license]));
        }
        LicenseVerdict Of(string id) =>
            policy.Deny.Contains(id, StringComparer.OrdinalIgnoreCase) ? LicenseVerdict.Denied
            : policy.Allow.Contains(id, StringComparer.OrdinalIgnoreCase) ? LicenseVerdict.Allowed
            : LicenseVerdict.Unknown;
        var verdict = tree.Evaluate(Of);
        var denied = ids.Where(id => Of(id) == LicenseVerdict.Denied).Distinct().ToList();
        var unknown = ids.Where(id => Of(id) == LicenseVerdict.Unknown).Distinct().ToList();
        return verdict switch
        {
            LicenseVerdict.Denied => Result(new ScanFinding(DeniedCode, Severity.Block,
                $"The licence \"{license}\" is not allowed for training: {string.Join(", ", denied)} denied by policy.", [], denied)),
            LicenseVerdict.Unknown => Result(new ScanFinding(UnknownCode, Severity.Block,
                $"The licence \"{license}\" names identifiers the policy does not know: {string.Join(", ", unknown)}; add them to "
                + $"{LicensePolicyOptions.Section}:Allow or :Deny.", [], unknown)),
            _ => Result(),
        };
    }

    private static Task<IReadOnlyList<ScanFinding>> Result(params ScanFinding[] findings) => Task.FromResult<IReadOnlyList<ScanFinding>>(findings);
}
