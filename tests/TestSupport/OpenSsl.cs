using System.Diagnostics;
using System.Formats.Asn1;
using System.Numerics;

namespace VendorGate.TestSupport;

/// <summary>Runs the real <c>openssl dgst -verify</c>, the standard tool a third party would use.</summary>
public static class OpenSsl
{
    public static (bool Verified, string Output) Verify(string publicKeyPem, byte[] data, byte[] signature, params string[] extra)
    {
        var dir = Directory.CreateTempSubdirectory("vg-openssl-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "key.pem"), publicKeyPem);
            File.WriteAllBytes(Path.Combine(dir, "data.bin"), data);
            File.WriteAllBytes(Path.Combine(dir, "sig.bin"), signature);
            var start = new ProcessStartInfo("openssl", ["dgst", "-sha256", "-verify", "key.pem", "-signature", "sig.bin", .. extra, "data.bin"])
            {
                WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode == 0 && output.Contains("Verified OK"), output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>IEEE P1363 r‖s (what DSSE envelopes carry) to the DER SEQUENCE { r, s } openssl expects.</summary>
    public static byte[] ToDer(byte[] rs)
    {
        var half = rs.Length / 2;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new BigInteger(rs.AsSpan(0, half), isUnsigned: true, isBigEndian: true));
            writer.WriteInteger(new BigInteger(rs.AsSpan(half), isUnsigned: true, isBigEndian: true));
        }
        return writer.Encode();
    }
}
