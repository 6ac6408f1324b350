using System.Security.Cryptography;
using VendorGate.Attest.Digests;

namespace VendorGate.Attest.Tests.Canonical;

public class SnapshotManifestTests
{
    [Fact]
    public async Task WriteRead_Records_RoundTripAtTheirDocumentedOffsets()
    {
        var records = Enumerable.Range(0, 3).Select(i => new ManifestRecord(
            SHA256.HashData([(byte)i]), Guid.CreateVersion7(), Guid.CreateVersion7(), i * 10, i - 1)).ToList();
        var bytes = new byte[SnapshotManifest.Offset(records.Count)];
        SnapshotManifest.Header().CopyTo(bytes, 0);
        for (var i = 0; i < records.Count; i++)
        {
            SnapshotManifest.Write(records[i], bytes.AsSpan((int)SnapshotManifest.Offset(i), SnapshotManifest.RecordSize));
        }

        var read = await SnapshotManifest.ReadAllAsync(new MemoryStream(bytes)).ToListAsync();

        Assert.Equal("VGM1"u8.ToArray(), bytes[..4]);
        Assert.Equal(72, BitConverter.ToInt32(bytes, 4));
        Assert.Equal(records.Select(r => (Convert.ToHexString(r.Digest), r.BatchId, r.AnnotatorId, r.Line, r.Domain)),
            read.Select(r => (Convert.ToHexString(r.Digest), r.BatchId, r.AnnotatorId, r.Line, r.Domain)));
        Assert.Equal(records[1].BatchId.ToByteArray(bigEndian: true), bytes.AsSpan((int)SnapshotManifest.Offset(1) + 32, 16).ToArray());
        Assert.Equal(-1, BitConverter.ToInt32(bytes, (int)SnapshotManifest.Offset(0) + 68));
    }

    [Fact]
    public void CheckHeader_NotAManifest_Throws() =>
        Assert.Throws<InvalidDataException>(() => SnapshotManifest.CheckHeader("VGM2\u0048\0\0\0"u8));
}
