using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using VendorGate.Gateway.Tests.Infrastructure;

namespace VendorGate.Gateway.Tests.Attestations;

/// <summary>A verifier can pin the Gateway's key before anything is signed: the JWKS lists the current key from
/// start-up, with nbf and no null members, under a kid that survives a restart.</summary>
public abstract class JwksTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : GatewayApplication
{
    [Fact]
    public async Task The_current_key_is_listed_from_start_up_without_null_members_and_keeps_its_kid_across_a_restart()
    {
        var text = await app.ClientFor(null).GetStringAsync("/.well-known/vendorgate/keys");
        Assert.DoesNotContain("null", text);
        var keys = JsonDocument.Parse(text).RootElement.GetProperty("keys").EnumerateArray().ToList();
        var current = Assert.Single(keys, k => !k.TryGetProperty("retired", out _));
        Assert.True(current.GetProperty("nbf").GetInt64() <= DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal("sig", current.GetProperty("use").GetString());
        if (current.GetProperty("kty").GetString() == "EC")
        {
            Assert.False(current.TryGetProperty("n", out _));
        }

        await using var restarted = app.WithWebHostBuilder(b => b.UseSetting("VendorGate:Jobs:RunServer", "false"));
        var again = JsonDocument.Parse(await restarted.CreateClient().GetStringAsync("/.well-known/vendorgate/keys")).RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(keys.Count, again.Count);
        Assert.Equal(current.GetProperty("kid").GetString(), Assert.Single(again, k => !k.TryGetProperty("retired", out _)).GetProperty("kid").GetString());
    }
}

public sealed class JwksOnEmbedded(EmbeddedGateway app) : JwksTests<EmbeddedGateway>(app);

public sealed class JwksOnProduction(ProductionGateway app) : JwksTests<ProductionGateway>(app);
