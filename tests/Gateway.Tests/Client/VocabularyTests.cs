using System.Reflection;

namespace VendorGate.Gateway.Tests.Client;

/// <summary>The client ships the Gateway's vocabulary (roles, evidence kinds) so the Portal and other clients do not
/// retype it: the two lists are the same, name for name.</summary>
public sealed class VocabularyTests
{
    private static Dictionary<string, string> Constants(Type type) => type.GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void The_clients_roles_and_evidence_kinds_are_the_gateways()
    {
        Assert.Equal(Constants(typeof(Gateway.Identity.Roles)).OrderBy(c => c.Key), Constants(typeof(VendorGate.Client.Roles)).OrderBy(c => c.Key));
        Assert.Equal(Constants(typeof(Gateway.Compliance.EvidenceKinds)).OrderBy(c => c.Key), Constants(typeof(VendorGate.Client.EvidenceKinds)).OrderBy(c => c.Key));
        Assert.Equal(Gateway.Compliance.EvidenceKinds.All.Order(), VendorGate.Client.EvidenceKinds.All.Order());
    }
}
