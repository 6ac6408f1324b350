using VendorGate.Attest.Dsse;

namespace VendorGate.Attest.Tests;

public sealed class DependencyTests
{
    [Fact]
    public void The_library_the_offline_verifier_ships_references_no_cloud_SDK()
    {
        var references = typeof(Envelope).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("System.Security.Cryptography", references); // the check reads real references
        Assert.DoesNotContain(references, name => name.StartsWith("Azure", StringComparison.Ordinal));
    }
}
