namespace VendorGate.Gateway.Identity;

public static class Roles
{
    public const string Annotator = "annotator";
    public const string VendorAdmin = "vendor-admin";
    public const string Contributor = "contributor";
    public const string Maintainer = "maintainer";
    public const string Security = "security";
    public const string Procurement = "procurement";
    public const string Auditor = "auditor";
    public const string Admin = "admin";

    /// <summary>The external eval harness: reports canary results for models, nothing else.</summary>
    public const string EvalHarness = "eval-harness";

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
