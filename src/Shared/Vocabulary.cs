// The Gateway's vocabulary on the wire, compiled into the Gateway (VENDORGATE_GATEWAY) and into the typed client, so
// the Portal and other clients name roles, evidence kinds and headers exactly as the Gateway does, without retyping them.
#if VENDORGATE_GATEWAY
namespace VendorGate.Gateway.Identity
#else
namespace VendorGate.Client
#endif
{
    /// <summary>The roles a credential can hold.</summary>
    public static partial class Roles
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
    }
}

#if VENDORGATE_GATEWAY
namespace VendorGate.Gateway.Compliance
#else
namespace VendorGate.Client
#endif
{
    /// <summary>The kinds of compliance evidence a vendor files.</summary>
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
}

#if VENDORGATE_GATEWAY
namespace VendorGate.Gateway.Attestations
#else
namespace VendorGate.Client
#endif
{
    /// <summary>Request headers of the Gateway's own.</summary>
    public static class Headers
    {
        /// <summary>A vendor's co-signature of the prepared receipt statement: <c>keyid="…", sig="&lt;base64&gt;"</c>.</summary>
        public const string VendorSignature = "VendorGate-Signature";
    }
}
