using System.Security.Cryptography;
using System.Text;
using VendorGate.Attest.Digests;

namespace VendorGate.Attest.Tests.Canonical;

public class BatchDigestTests
{
    [Fact]
    public void Finish_TwoExamples_IsSha256OfConcatenatedDigests()
    {
        var d1 = SHA256.HashData(Encoding.UTF8.GetBytes("""{"completion":"b","prompt":"a"}"""));
        var d2 = SHA256.HashData(Encoding.UTF8.GetBytes("""{"completion":"d","prompt":"c"}"""));
        using var batch = new BatchDigest();

        batch.Append(d1);
        batch.Append(d2);

        Assert.Equal(SHA256.HashData([.. d1, .. d2]), batch.Finish());
        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public void TryParse_FormattedDigest_RoundTrips()
    {
        var digest = SHA256.HashData("x"u8);

        Assert.True(BatchDigest.TryParse(BatchDigest.Format(digest), out var parsed));
        Assert.Equal(digest, parsed);
        Assert.False(BatchDigest.TryParse("sha256:zz", out _));
    }
}
