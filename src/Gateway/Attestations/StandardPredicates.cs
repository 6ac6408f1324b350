using System.Text.Json.Nodes;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Attestations;

/// <summary>
/// The standard in-toto predicates the Gateway signs beside its own, for verifiers that know no VendorGate predicate:
/// SLSA Provenance v1 for a snapshot (how it was built, from what), SLSA Verification Summary v1 for an approval (a
/// policy was checked and passed), in-toto Test Result v0.1 for a canary gate (which probes passed). Each is a
/// companion of the VendorGate statement of the same fact (<see cref="CompanionStatement"/>), with the same subject.
/// </summary>
public static class StandardPredicates
{
    public const string SlsaProvenance = "https://slsa.dev/provenance/v1";
    public const string VerificationSummary = "https://slsa.dev/verification_summary/v1";
    public const string TestResult = "https://in-toto.io/attestation/test-result/v0.1";

    /// <summary>The Gateway as a builder (provenance) and as a verifier (summaries).</summary>
    public const string GatewayId = "https://vendorgate.dev/gateway/v1";

    private static readonly string GatewayVersion = typeof(StandardPredicates).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>An in-toto ResourceDescriptor: a name, a URI, a SHA-256 (hex) when it has one, and annotations.</summary>
    public static JsonObject Resource(string name, string uri, string? sha256, JsonObject? annotations = null)
    {
        var resource = new JsonObject { ["name"] = name, ["uri"] = uri };
        if (sha256 is not null)
        {
            resource["digest"] = new JsonObject { ["sha256"] = sha256 };
        }
        if (annotations is not null)
        {
            resource["annotations"] = annotations;
        }
        return resource;
    }

    /// <summary>The hex of a <c>sha256:…</c> digest.</summary>
    public static string? Hex(string? digest) => digest?["sha256:".Length..];

    /// <summary>SLSA Provenance v1: <paramref name="buildType"/> run by the Gateway with <paramref name="externalParameters"/>
    /// (what the requester chose) over <paramref name="dependencies"/>.</summary>
    public static JsonObject Provenance(string buildType, JsonObject externalParameters, JsonObject internalParameters,
        IEnumerable<JsonObject> dependencies, string invocationId, DateTimeOffset at) => new()
    {
        ["buildDefinition"] = new JsonObject
        {
            ["buildType"] = buildType,
            ["externalParameters"] = externalParameters,
            ["internalParameters"] = internalParameters,
            ["resolvedDependencies"] = new JsonArray(dependencies.Select(d => (JsonNode)d).ToArray()),
        },
        ["runDetails"] = new JsonObject
        {
            ["builder"] = new JsonObject { ["id"] = GatewayId, ["version"] = new JsonObject { ["vendorgate-gateway"] = GatewayVersion } },
            ["metadata"] = new JsonObject
            {
                ["invocationId"] = invocationId, ["startedOn"] = Clock.Timestamp(at), ["finishedOn"] = Clock.Timestamp(at),
            },
        },
    };

    /// <summary>SLSA Verification Summary v1: the Gateway checked <paramref name="resourceUri"/> against
    /// <paramref name="policyUri"/>, reading <paramref name="inputs"/>, and it passed at <paramref name="levels"/>.</summary>
    public static JsonObject Summary(string resourceUri, string policyUri, DateTimeOffset verifiedAt, IEnumerable<JsonObject> inputs,
        bool passed, IEnumerable<string> levels) => new()
    {
        ["verifier"] = new JsonObject { ["id"] = GatewayId, ["version"] = new JsonObject { ["vendorgate-gateway"] = GatewayVersion } },
        ["timeVerified"] = Clock.Timestamp(verifiedAt),
        ["resourceUri"] = resourceUri,
        ["policy"] = new JsonObject { ["uri"] = policyUri },
        ["inputAttestations"] = new JsonArray(inputs.Select(i => (JsonNode)i).ToArray()),
        ["verificationResult"] = passed ? "PASSED" : "FAILED",
        ["verifiedLevels"] = new JsonArray(levels.Select(l => (JsonNode)l).ToArray()),
    };

    /// <summary>in-toto Test Result v0.1. The result is the verdict given, not derived from the lists: a gate with no
    /// test to judge has none failed, and still fails closed.</summary>
    public static JsonObject TestResults(bool result, IEnumerable<JsonObject> configuration, string url, IEnumerable<string> passed,
        IEnumerable<string> failed) => new()
    {
        ["result"] = result ? "PASSED" : "FAILED",
        ["configuration"] = new JsonArray(configuration.Select(c => (JsonNode)c).ToArray()),
        ["url"] = url,
        ["passedTests"] = new JsonArray(passed.Select(t => (JsonNode)t).ToArray()),
        ["warnedTests"] = new JsonArray(),
        ["failedTests"] = new JsonArray(failed.Select(t => (JsonNode)t).ToArray()),
    };
}
