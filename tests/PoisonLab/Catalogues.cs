using System.Buffers.Binary;
using System.Text;

namespace VendorGate.PoisonLab;

/// <summary>Translated messages of the GNU gettext catalogues (.mo) under /usr/share/locale: natural text of many
/// languages on any Debian machine. The scanners' shipped reference is built from them (<see cref="ReferenceBuilder"/>).</summary>
public static class Catalogues
{
    public const string Root = "/usr/share/locale";

    /// <summary>The translations of one catalogue, the header skipped.</summary>
    public static IEnumerable<string> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 28 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != 0x950412de)
        {
            yield break;
        }
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        var translations = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        for (var i = 1; i < count; i++) // entry 0 is the header
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(translations + i * 8));
            var offset = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(translations + i * 8 + 4));
            if (offset + length <= bytes.Length)
            {
                yield return Encoding.UTF8.GetString(bytes, offset, length).Split('\0')[0];
            }
        }
    }

    /// <summary>Messages of one locale folder (e.g. "de"), distinct, without format placeholders or mojibake.</summary>
    public static IEnumerable<string> Messages(string locale)
    {
        var folder = Path.Combine(Root, locale, "LC_MESSAGES");
        if (!Directory.Exists(folder))
        {
            return [];
        }
        return Directory.EnumerateFiles(folder, "*.mo").Order(StringComparer.Ordinal).SelectMany(Read)
            .Where(m => m.Length is >= 12 and <= 600 && !m.Contains('%') && !m.Contains('\uFFFD')).Distinct();
    }

    /// <summary>Every locale folder that holds catalogues.</summary>
    public static IEnumerable<string> Locales() => Directory.Exists(Root)
        ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>()
            .Where(l => Directory.Exists(Path.Combine(Root, l, "LC_MESSAGES"))).Order(StringComparer.Ordinal)
        : [];
}
