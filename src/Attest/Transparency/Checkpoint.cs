using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using VendorGate.Attest.Signing;

namespace VendorGate.Attest.Transparency;

/// <summary>
/// A tree head in the C2SP checkpoint format (c2sp.org/tlog-checkpoint): origin, tree size and base64 root hash,
/// one per line, carried in a signed note (c2sp.org/signed-note): the text, a blank line, then lines
/// <c>— &lt;key name&gt; base64(key ID || signature)</c>. An ECDSA P-256 key signs as signature type 0x02 (ASN.1 DER
/// signature of the note text, key ID the first four bytes of SHA-256 of the key's DER SubjectPublicKeyInfo); an RSA
/// key (no type is assigned to it) with its JWS algorithm's signature and the key ID made the same way.
/// </summary>
public sealed record Checkpoint(string Origin, long Size, byte[] RootHash)
{
    private const string Dash = "\u2014 ";

    /// <summary>One signature line: the key's name, its 32-bit ID and the signature bytes.</summary>
    /// <param name="KeyName">The key name (the Gateway's is the checkpoint's origin).</param>
    /// <param name="KeyId">The first four bytes of the key hash, big-endian.</param>
    /// <param name="Signature">The signature after the key ID.</param>
    public sealed record NoteSignature(string KeyName, uint KeyId, byte[] Signature);

    /// <summary>The note text: three lines, each ending in a newline.</summary>
    public string Text => $"{Origin}\n{Size}\n{Convert.ToBase64String(RootHash)}\n";

    /// <summary>The note with one signature by <paramref name="keyName"/>.</summary>
    public string ToNote(string keyName, uint keyId, byte[] derSignature)
    {
        var blob = new byte[4 + derSignature.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(blob, keyId);
        derSignature.CopyTo(blob, 4);
        return $"{Text}\n{Dash}{keyName} {Convert.ToBase64String(blob)}\n";
    }

    /// <summary>The key ID: SHA-256 of the key's DER SubjectPublicKeyInfo, first four bytes, big-endian.</summary>
    public static uint KeyId(Jwk key)
    {
        var pem = key.ToPem();
        var der = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(der));
    }

    /// <summary>A JWS signature by <paramref name="key"/> as a note carries it (DER for ECDSA, unchanged for RSA).</summary>
    public static byte[] NoteSignatureOf(Jwk key, byte[] jwsSignature) => key.Kty == "EC" ? ToDer(jwsSignature) : jwsSignature;

    /// <summary>An IEEE P1363 ECDSA signature (r || s, as JWS ES256 carries it) as the ASN.1 DER sequence a note carries.</summary>
    public static byte[] ToDer(ReadOnlySpan<byte> p1363)
    {
        var half = p1363.Length / 2;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(TrimZeros(p1363[..half]));
            writer.WriteIntegerUnsigned(TrimZeros(p1363[half..]));
        }
        return writer.Encode();

        static ReadOnlySpan<byte> TrimZeros(ReadOnlySpan<byte> value)
        {
            var i = 0;
            while (i < value.Length - 1 && value[i] == 0)
            {
                i++;
            }
            return value[i..];
        }
    }

    /// <summary>Parses a signed checkpoint note. Its signatures are not checked here: see <see cref="VerifiedBy"/>.</summary>
    /// <exception cref="FormatException">Not a checkpoint note.</exception>
    public static (Checkpoint Checkpoint, IReadOnlyList<NoteSignature> Signatures) Parse(string note)
    {
        if (note.Any(c => c < 0x20 && c != '\n'))
        {
            throw new FormatException("a note holds no control characters other than newline");
        }
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !note.EndsWith('\n'))
        {
            throw new FormatException("a signed note is its text, a blank line and signature lines, each ending in a newline");
        }
        var lines = note[..(split + 1)].Split('\n')[..^1];
        if (lines.Length < 3 || lines[0].Length == 0 || !long.TryParse(lines[1], System.Globalization.NumberStyles.None, null, out var size)
            || lines[1] != size.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new FormatException("a checkpoint's text is its origin, its tree size (decimal) and its root hash (base64)");
        }
        byte[] root;
        try
        {
            root = Convert.FromBase64String(lines[2]);
        }
        catch (FormatException)
        {
            throw new FormatException("the checkpoint's root hash is not base64");
        }
        if (root.Length != MerkleTree.HashSize)
        {
            throw new FormatException("the checkpoint's root hash is not 32 bytes");
        }
        var signatures = new List<NoteSignature>();
        foreach (var line in note[(split + 2)..].Split('\n')[..^1])
        {
            var parts = line.StartsWith(Dash, StringComparison.Ordinal) ? line[Dash.Length..].Split(' ') : [];
            byte[] blob;
            try
            {
                blob = parts.Length == 2 ? Convert.FromBase64String(parts[1]) : throw new FormatException();
            }
            catch (FormatException)
            {
                throw new FormatException($"not a signature line: {line}");
            }
            if (blob.Length <= 4)
            {
                throw new FormatException($"not a signature line: {line}");
            }
            signatures.Add(new NoteSignature(parts[0], System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(blob), blob[4..]));
        }
        if (signatures.Count == 0)
        {
            throw new FormatException("the note carries no signature");
        }
        return (new Checkpoint(lines[0], size, root), signatures);
    }

    /// <summary>The key of <paramref name="keys"/> whose signature over the note's text verifies (name and key ID both
    /// matching), or null: a note no known key signed is not to be believed.</summary>
    public Jwk? VerifiedBy(IReadOnlyList<NoteSignature> signatures, JsonWebKeySet keys)
    {
        var text = Encoding.UTF8.GetBytes(Text);
        foreach (var signature in signatures.Where(s => s.KeyName == Origin))
        {
            foreach (var key in keys.Keys.Where(k => KeyId(k) == signature.KeyId))
            {
                if (key.Kty == "EC" ? key.VerifyDer(text, signature.Signature) : key.Verify(text, signature.Signature))
                {
                    return key;
                }
            }
        }
        return null;
    }
}
