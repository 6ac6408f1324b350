namespace VendorGate.Gateway.Identity;

/// <summary>Which roles go together; the names themselves are in src/Shared/Vocabulary.cs (shared with the client).</summary>
public static partial class Roles
{
    public static readonly IReadOnlySet<string> Vendor = new HashSet<string> { Annotator, VendorAdmin };
    public static readonly IReadOnlySet<string> Staff = new HashSet<string> { Contributor, Maintainer, Security, Procurement, Auditor, Admin, EvalHarness };

    /// <summary>The roles a service principal (a pipeline whose keys an admin mints) may hold.</summary>
    public static readonly IReadOnlySet<string> Service = new HashSet<string> { Contributor, EvalHarness };

    /// <summary>Staff roles that may read every vendor's batches.</summary>
    public static readonly IReadOnlySet<string> BatchReaders = new HashSet<string> { Maintainer, Security, Procurement, Auditor };
}

public static class PrincipalKinds
{
    public const string Vendor = "vendor";
    public const string Staff = "staff";
}
