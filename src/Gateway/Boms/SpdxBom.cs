using System.Text.Json.Nodes;

namespace VendorGate.Gateway.Boms;

/// <summary>
/// An SPDX 3.0.1 document (JSON-LD) with the Dataset profile: the snapshot as a <c>dataset_DatasetPackage</c> (its
/// manifest's SHA-256, text data, how it was collected, whether the PII scanner found personal information), the
/// vendors as the <c>Organization</c>s it originated by, its declared licence as a licence expression; for a model,
/// an <c>ai_AIPackage</c> <c>trainedOn</c> the snapshot. Written from <see cref="BomFacts"/> only. Valid against the
/// official schema (<c>schemas/spdx-3.0.1</c>, checked in the suite).
/// </summary>
public static class SpdxBom
{
    public const string MediaType = "application/spdx+json";
    public const string PredicateType = "https://spdx.dev/Document/v3";
    private const string Context = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
    private const string CreationInfo = "_:creationinfo";
    private static readonly string[] Profiles = ["core", "software", "dataset", "simpleLicensing"];

    public static JsonObject Build(BomFacts facts)
    {
        var snapshot = facts.Snapshot;
        var at = Timestamp(facts.Model?.CreatedAt ?? snapshot.CreatedAt);
        var ns = $"urn:vendorgate:{snapshot.ManifestDigest["sha256:".Length..][..16]}:";
        var gateway = ns + "agent/gateway";
        var dataset = ns + $"snapshot/{snapshot.Version}";
        var license = ns + "license/declared";
        var graph = new JsonArray
        {
            new JsonObject { ["type"] = "CreationInfo", ["@id"] = CreationInfo, ["specVersion"] = "3.0.1", ["created"] = at, ["createdBy"] = new JsonArray(gateway) },
            Element("SoftwareAgent", gateway, "VendorGate Gateway"),
        };
        var vendors = facts.Vendors.Select(v => (Id: ns + $"vendor/{v.Id}", Vendor: v)).ToList();
        foreach (var (id, vendor) in vendors)
        {
            graph.Add(Element("Organization", id, vendor.Name,
                $"Labelling vendor ({vendor.Jurisdiction}): {vendor.Examples} examples by {vendor.Annotators} annotator(s)"));
        }
        var package = Element("dataset_DatasetPackage", dataset, $"vendorgate-snapshot-{snapshot.Version}", snapshot.Message);
        package["software_packageVersion"] = snapshot.Version;
        package["software_primaryPurpose"] = "data";
        package["software_downloadLocation"] = $"/v1/snapshots/{snapshot.Version}/content";
        package["releaseTime"] = Timestamp(snapshot.CreatedAt);
        package["builtTime"] = Timestamp(snapshot.CreatedAt);
        package["suppliedBy"] = gateway;
        if (vendors.Count > 0)
        {
            package["originatedBy"] = new JsonArray(vendors.Select(v => (JsonNode)v.Id).ToArray());
        }
        package["verifiedUsing"] = new JsonArray(new JsonObject
        {
            ["type"] = "Hash", ["algorithm"] = "sha256", ["hashValue"] = snapshot.ManifestDigest["sha256:".Length..],
        });
        package["dataset_datasetType"] = new JsonArray("text");
        package["dataset_datasetSize"] = snapshot.Count;
        package["dataset_dataCollectionProcess"] =
            $"{snapshot.Count} examples written by {facts.Annotators} named annotator(s) of {facts.Vendors.Count} vendor(s)"
            + (facts.InternalExamples > 0 ? $" and {facts.InternalExamples} internal or synthetic examples" : "")
            + ", each batch uploaded through VendorGate under its annotator's own credential, quarantined and scanned (PII, hidden characters,"
            + " poisoning, duplicates, licence), approved by a second person outside the submitter's vendor, counter-signed, and merged into"
            + $" this signed snapshot (domains: {string.Join(", ", facts.Domains.Select(d => $"{d.Key} {d.Value}"))}).";
        package["dataset_hasSensitivePersonalInformation"] = facts.SensitiveData.Count > 0 ? "yes" : "no";
        package["dataset_intendedUse"] = "Fine-tuning of language models.";
        if (facts.SensitiveData.Count > 0)
        {
            package["comment"] = "Sensitive personal information: " + string.Join("; ", facts.SensitiveData);
        }
        graph.Add(package);
        graph.Add(new JsonObject
        {
            ["type"] = "simplelicensing_LicenseExpression", ["spdxId"] = license, ["creationInfo"] = CreationInfo,
            ["simplelicensing_licenseExpression"] = facts.LicenseExpression,
        });
        graph.Add(Relationship(ns + "relationship/declared-license", dataset, "hasDeclaredLicense", license));
        graph.Add(new JsonObject
        {
            ["type"] = "simplelicensing_LicenseExpression", ["spdxId"] = ns + "license/document", ["creationInfo"] = CreationInfo,
            ["simplelicensing_licenseExpression"] = "CC0-1.0", // the document's own licence, as SPDX asks of its metadata
        });
        var roots = dataset;
        if (facts.Model is { } model)
        {
            var ai = Element("ai_AIPackage", ns + $"model/{model.Name}", model.Name, model.Notes);
            ai["software_primaryPurpose"] = "model";
            ai["releaseTime"] = Timestamp(model.CreatedAt);
            ai["suppliedBy"] = gateway;
            ai["ai_informationAboutTraining"] = $"Trained on VendorGate snapshot {snapshot.Version} ({snapshot.ManifestDigest}).";
            ai["ai_useSensitivePersonalInformation"] = facts.SensitiveData.Count > 0 ? "yes" : "no";
            graph.Add(ai);
            graph.Add(Relationship(ns + "relationship/trained-on", ai["spdxId"]!.GetValue<string>(), "trainedOn", dataset));
            roots = ai["spdxId"]!.GetValue<string>();
        }
        var elements = graph.OfType<JsonObject>().Select(e => e["spdxId"]?.GetValue<string>()).OfType<string>().ToList();
        graph.Add(new JsonObject
        {
            ["type"] = "SpdxDocument",
            ["spdxId"] = ns + "document",
            ["creationInfo"] = CreationInfo,
            ["name"] = $"AI-BOM of {facts.Name}",
            ["dataLicense"] = ns + "license/document",
            ["profileConformance"] = new JsonArray((facts.Model is null ? Profiles : [.. Profiles, "ai"]).Select(p => (JsonNode)p).ToArray()),
            ["rootElement"] = new JsonArray(roots),
            ["element"] = new JsonArray(elements.Select(e => (JsonNode)e).ToArray()),
        });
        return new JsonObject { ["@context"] = Context, ["@graph"] = graph };
    }

    private static JsonObject Element(string type, string id, string name, string? description = null)
    {
        var element = new JsonObject { ["type"] = type, ["spdxId"] = id, ["creationInfo"] = CreationInfo, ["name"] = name };
        if (description is not null)
        {
            element["description"] = description;
        }
        return element;
    }

    private static JsonObject Relationship(string id, string from, string type, string to) => new()
    {
        ["type"] = "Relationship", ["spdxId"] = id, ["creationInfo"] = CreationInfo, ["from"] = from, ["relationshipType"] = type,
        ["to"] = new JsonArray(to),
    };

    /// <summary>SPDX 3 timestamps: UTC to the second.</summary>
    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
