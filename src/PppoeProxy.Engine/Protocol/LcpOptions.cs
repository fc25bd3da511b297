using System.Buffers.Binary;
using System.Globalization;

namespace PppoeProxy.Engine.Protocol;

/// <summary>LCP configuration options (RFC 1661, 1990, 1570 and the IANA PPP LCP registry).</summary>
public static class LcpOptions
{
    public const byte Mru = 1, Accm = 2, AuthProtocol = 3, QualityProtocol = 4, MagicNumber = 5,
        Pfc = 7, Acfc = 8, Mrru = 17;

    public static string Name(byte type) => type switch
    {
        0 => "Vendor-Specific",
        Mru => "MRU",
        Accm => "ACCM",
        AuthProtocol => "Auth",
        QualityProtocol => "Quality",
        MagicNumber => "Magic",
        6 => "LQM",
        Pfc => "PFC",
        Acfc => "ACFC",
        9 => "FCS-Alternatives",
        10 => "Self-Describing-Padding",
        11 => "Numbered-Mode",
        13 => "Callback",
        15 => "Compound-Frames",
        16 => "Nominal-Data-Encapsulation",
        Mrru => "MRRU",
        18 => "Short-Sequence",
        19 => "Endpoint-Discriminator",
        21 => "DCE-Identifier",
        22 => "Multi-Link-Plus",
        23 => "Link-Discriminator",
        24 => "LCP-Authentication",
        25 => "COBS",
        26 => "Prefix-Elision",
        27 => "Multilink-Header-Format",
        28 => "Internationalization",
        29 => "Simple-Data-Link",
        _ => $"Option-{type}",
    };

    /// <summary>Length rules; types without one take any length of 2 or more.</summary>
    public static PppOptionRule Rule(byte type) => type switch
    {
        0 => PppOptionRule.AtLeast(6),
        Mru or Mrru or 22 or 23 or 27 => PppOptionRule.Exactly(4),
        Accm or MagicNumber or 6 => PppOptionRule.Exactly(6),
        AuthProtocol or QualityProtocol => PppOptionRule.AtLeast(4),
        Pfc or Acfc or 15 or 16 or 18 or 29 => PppOptionRule.Exactly(2),
        9 or 10 or 21 or 25 => PppOptionRule.Exactly(3),
        11 or 13 or 19 or 24 => PppOptionRule.AtLeast(3),
        28 => PppOptionRule.AtLeast(7),
        _ => PppOptionRule.Any,
    };

    /// <summary>The value shown for an option whose length passed <see cref="Rule"/>; null for flags and unknown types.</summary>
    public static string? Value(byte type, ReadOnlySpan<byte> data) => type switch
    {
        Mru or Mrru => BinaryPrimitives.ReadUInt16BigEndian(data).ToString(CultureInfo.InvariantCulture),
        Accm or MagicNumber => $"0x{BinaryPrimitives.ReadUInt32BigEndian(data):x8}",
        AuthProtocol => AuthName(data),
        QualityProtocol => $"0x{BinaryPrimitives.ReadUInt16BigEndian(data):x4}",
        _ => null,
    };

    /// <summary>
    /// The MRU in a Configure-Request/-Ack option list, for the frame path (no allocation): true with 0 when
    /// the list is well formed and has none, false when an option runs past the list.
    /// </summary>
    public static bool TryFindMru(ReadOnlySpan<byte> options, out ushort mru)
    {
        mru = 0;
        for (int at = 0; at < options.Length;)
        {
            if (at + 2 > options.Length) return false;
            int length = options[at + 1];
            if (length < 2 || at + length > options.Length) return false;
            if (options[at] == Mru && length == 4 && mru == 0) mru = BinaryPrimitives.ReadUInt16BigEndian(options[(at + 2)..]);
            at += length;
        }
        return true;
    }

    /// <summary>"PAP", "CHAP-MD5", "MS-CHAPv2", "EAP" or the protocol number.</summary>
    private static string AuthName(ReadOnlySpan<byte> data)
    {
        ushort protocol = BinaryPrimitives.ReadUInt16BigEndian(data);
        if (protocol != PppProtocols.Chap) return protocol == 0xC227 ? "EAP" : PppProtocols.Name(protocol);
        if (data.Length < 3) return "CHAP";
        return data[2] switch
        {
            5 => "CHAP-MD5",
            6 => "CHAP-SHA1",
            0x80 => "MS-CHAP",
            0x81 => "MS-CHAPv2",
            var algorithm => $"CHAP-{algorithm}",
        };
    }
}
