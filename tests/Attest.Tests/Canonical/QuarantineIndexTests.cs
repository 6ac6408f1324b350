using System.Security.Cryptography;
using VendorGate.Attest.Digests;

namespace VendorGate.Attest.Tests.Canonical;

/// <summary>The quarantine index's 48-byte records, byte for byte as documented.</summary>
public class QuarantineIndexTests
{
    [Fact]
    public void A_record_is_digest_offset_domain_and_zero_padding_in_little_endian()
    {
        var records = new byte[2 * QuarantineIndex.RecordSize];
        var digest = SHA256.HashData("x"u8);
        var second = QuarantineIndex.Record(records.AsSpan(), 1);
        digest.CopyTo(QuarantineIndex.Digest(second));
        QuarantineIndex.Write(second, offset: 0x0102030405, domain: QuarantineIndex.NoDomain);

        Assert.Equal(new byte[48], records[..48]);
        Assert.Equal(digest, records[48..80]);
        Assert.Equal(new byte[] { 0x05, 0x04, 0x03, 0x02, 0x01, 0, 0, 0 }, records[80..88]);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0 }, records[88..96]);
        Assert.Equal((0x0102030405L, -1), (QuarantineIndex.Offset(second), QuarantineIndex.Domain(second)));
        Assert.Equal(96, QuarantineIndex.Position(2));
    }

    [Fact]
    public void Shifting_moves_only_the_offset()
    {
        var record = new byte[QuarantineIndex.RecordSize];
        QuarantineIndex.Write(record, offset: 10, domain: 3);

        QuarantineIndex.Shift(record, 1_000);

        Assert.Equal((1_010L, 3), (QuarantineIndex.Offset(record), QuarantineIndex.Domain(record)));
        Assert.Equal(new byte[32], QuarantineIndex.Digest(record.AsSpan()).ToArray());
    }
}
