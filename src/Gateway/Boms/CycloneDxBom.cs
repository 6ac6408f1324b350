using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using VendorGate.Gateway.Infrastructure;

namespace VendorGate.Gateway.Boms;

/// <summary>
/// A CycloneDX 1.6 ML-BOM: the snapshot as a <c>data</c> component (its manifest's SHA-256, licences, a
/// <c>dataset</c> with its domains, sensitive data and governance), each vendor's contribution as a <c>data</c>
/// component it depends on; for a model, the model as a <c>machine-learning-model</c> component whose model card
/// names the snapshot among its datasets. Written from <see cref="BomFacts"/> only, so the same facts give the same
/// bytes. Valid against the official schema (<c>schemas/cyclonedx-1.6</c>, checked in the suite).
/// </summary>
public static class CycloneDxBom
{
    public const string MediaType = "application/vnd.cyclonedx+json";
    public const string PredicateType = "https://cyclonedx.org/bom";

    public static JsonObject Build(BomFacts facts)
    {
        var snapshot = facts.Snapshot;
        var snapshotRef = $"snapshot:{snapshot.Version}";
        var components = new JsonArray();
        foreach (var vendor in facts.Vendors)
        {
            components.Add(new JsonObject
            {
                ["type"] = "data",
                ["bom-ref"] = $"vendor:{vendor.Id}",
                ["name"] = $"{vendor.Name} contribution",
                ["supplier"] = new JsonObject { ["name"] = vendor.Name },
                ["licenses"] = Licenses(vendor.Licenses),
                ["data"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["type"] = "dataset",
                        ["name"] = $"examples by {vendor.Name} in snapshot {snapshot.Version}",
                        ["governance"] = new JsonObject { ["custodians"] = new JsonArray(Organization(vendor.Name)) },
                    },
                },
                ["properties"] = Properties(("vendorgate:vendor-id", vendor.Id.ToString()), ("vendorgate:jurisdiction", vendor.Jurisdiction),
                    ("vendorgate:examples", vendor.Examples.ToString()), ("vendorgate:annotators", vendor.Annotators.ToString())),
            });
        }
        var metadataComponent = facts.Model is { } model
            ? new JsonObject
            {
                ["type"] = "machine-learning-model",
                ["bom-ref"] = $"model:{model.Name}",
                ["name"] = model.Name,
                ["description"] = model.Notes,
                ["modelCard"] = new JsonObject
                {
                    ["modelParameters"] = new JsonObject { ["datasets"] = new JsonArray(new JsonObject { ["ref"] = snapshotRef }) },
                },
                ["properties"] = Properties(("vendorgate:snapshot", snapshot.Version), ("vendorgate:registered-at", Clock.Timestamp(model.CreatedAt))),
            }
            : SnapshotComponent(facts, snapshotRef); // the BOM of a snapshot is about the snapshot
        if (facts.Model is not null)
        {
            components.Insert(0, SnapshotComponent(facts, snapshotRef));
        }
        if (metadataComponent["description"] is null)
        {
            metadataComponent.Remove("description");
        }
        var dependencies = new JsonArray
        {
            new JsonObject
            {
                ["ref"] = snapshotRef,
                ["dependsOn"] = new JsonArray(facts.Vendors.Select(v => (JsonNode)$"vendor:{v.Id}").ToArray()),
            },
        };
        if (facts.Model is not null)
        {
            dependencies.Add(new JsonObject { ["ref"] = metadataComponent["bom-ref"]!.GetValue<string>(), ["dependsOn"] = new JsonArray(snapshotRef) });
        }
        return new JsonObject
        {
            ["bomFormat"] = "CycloneDX",
            ["specVersion"] = "1.6",
            ["serialNumber"] = $"urn:uuid:{SerialOf(facts)}",
            ["version"] = 1,
            ["metadata"] = new JsonObject
            {
                ["timestamp"] = Clock.Timestamp(facts.Model?.CreatedAt ?? snapshot.CreatedAt),
                ["lifecycles"] = new JsonArray(new JsonObject { ["phase"] = "build" }),
                ["tools"] = new JsonObject
                {
                    ["components"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "application", ["name"] = "vendorgate-gateway",
                        ["version"] = typeof(CycloneDxBom).Assembly.GetName().Version?.ToString() ?? "0",
                    }),
                },
                ["component"] = metadataComponent,
            },
            ["components"] = components,
            ["dependencies"] = dependencies,
        };
    }

    private static JsonObject SnapshotComponent(BomFacts facts, string snapshotRef)
    {
        var snapshot = facts.Snapshot;
        var dataset = new JsonObject
        {
            ["type"] = "dataset",
            ["name"] = $"VendorGate snapshot {snapshot.Version}",
            ["contents"] = new JsonObject { ["url"] = $"/v1/snapshots/{snapshot.Version}/content" },
            ["classification"] = string.Join(", ", facts.Domains.Keys),
            ["description"] = snapshot.Message,
            ["governance"] = new JsonObject
            {
                ["owners"] = new JsonArray(facts.Owners.Select(Contact).ToArray()),
                ["stewards"] = new JsonArray(facts.Stewards.Select(Contact).ToArray()),
                ["custodians"] = new JsonArray(facts.Vendors.Select(v => (JsonNode)Organization(v.Name)).ToArray()),
            },
        };
        if (facts.SensitiveData.Count > 0)
        {
            dataset["sensitiveData"] = new JsonArray(facts.SensitiveData.Select(s => (JsonNode)s).ToArray());
        }
        return new JsonObject
        {
            ["type"] = "data",
            ["bom-ref"] = snapshotRef,
            ["name"] = "vendorgate-snapshot",
            ["version"] = snapshot.Version,
            ["description"] = snapshot.Message,
            ["hashes"] = new JsonArray(new JsonObject { ["alg"] = "SHA-256", ["content"] = snapshot.ManifestDigest["sha256:".Length..] }),
            ["licenses"] = Licenses(facts.Licenses.Keys.ToList()),
            ["data"] = new JsonArray(dataset),
            ["properties"] = Properties(
                [
                    ("vendorgate:examples", snapshot.Count.ToString()),
                    ("vendorgate:manifest-digest", snapshot.ManifestDigest),
                    ("vendorgate:statement-digest", snapshot.Attestation.Digest ?? ""),
                    ("vendorgate:annotators", facts.Annotators.ToString()),
                    ("vendorgate:internal-examples", facts.InternalExamples.ToString()),
                    .. facts.Domains.Select(d => ($"vendorgate:domain:{d.Key}", d.Value.ToString())),
                    .. facts.Licenses.Select(l => ($"vendorgate:license:{l.Key}", l.Value.ToString())),
                ]),
        };
    }

    /// <summary>One SPDX expression covering every licence (the schema's single-expression form).</summary>
    private static JsonArray Licenses(IReadOnlyList<string> licenses) =>
        [new JsonObject { ["expression"] = BomFacts.Expression(licenses) }];

    private static JsonNode Organization(string name) => new JsonObject { ["organization"] = new JsonObject { ["name"] = name } };

    private static JsonNode Contact(string name) => new JsonObject { ["contact"] = new JsonObject { ["name"] = name } };

    private static JsonArray Properties(params (string Name, string Value)[] properties) =>
        new(properties.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["value"] = p.Value }).ToArray());

    /// <summary>A serial number fixed by what the BOM is of: the snapshot's manifest and, for a model, its name.</summary>
    private static Guid SerialOf(BomFacts facts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"cyclonedx|{facts.Snapshot.ManifestDigest}|{facts.Name}"));
        hash[6] = (byte)(hash[6] & 0x0F | 0x50); // RFC 9562 version 5-style name-based
        hash[8] = (byte)(hash[8] & 0x3F | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
