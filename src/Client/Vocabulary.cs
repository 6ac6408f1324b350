namespace VendorGate.Client;

/// <summary>The roles a credential can hold, as the Gateway names them (a test keeps this list equal to the Gateway's).</summary>
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
    public const string EvalHarness = "eval-harness";
}

/// <summary>The kinds of compliance evidence a vendor files, as the Gateway names them (a test keeps this list equal to
/// the Gateway's).</summary>
public static class EvidenceKinds
{
    public const string Soc2Type2 = "soc2-type2";
    public const string Soc2Type1 = "soc2-type1";
    public const string Iso27001 = "iso27001";
    public const string Dpa = "dpa";
    public const string RetentionPolicy = "retention-policy";
    public const string AnnotatorVetting = "annotator-vetting";

    public static readonly IReadOnlyList<string> All = [Soc2Type2, Soc2Type1, Iso27001, Dpa, RetentionPolicy, AnnotatorVetting];
}
