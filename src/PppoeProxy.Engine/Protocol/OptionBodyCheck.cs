using System.Buffers.Binary;

namespace PppoeProxy.Engine.Protocol;

/// <summary>
/// Options whose length fits <see cref="PppOptionRule"/> but whose own fields may not: an inner length
/// octet (LCP option 24), or the parameters a compression protocol implies (RFC 2509 IPHC, RFC 3241 ROHC,
/// RFC 1332 VJ), followed in IPHC and ROHC by sub-options.
/// </summary>
internal static class OptionBodyCheck
{
    private const ushort Vj = 0x002D, Iphc = 0x0061, Rohc = 0x0003;

    /// <summary><paramref name="value"/> is the option after its type and length octets.</summary>
    public static (string? Error, string? Warning) Check(ushort protocol, byte type, string name, ReadOnlySpan<byte> value)
    {
        if (protocol == PppProtocols.Lcp && type == 24 && value.Length >= 1 && value[0] > value.Length - 1)
            return ($"LCP {name} option's inner length {value[0]} runs past the option", null);
        if (protocol is not (PppProtocols.Ipcp or PppProtocols.Ipv6cp) || type != 2 || value.Length < 2) return default;
        ushort compression = BinaryPrimitives.ReadUInt16BigEndian(value);
        // Protocol plus parameters: VJ max-slot-id and comp-slot-id; IPHC five 16-bit fields; ROHC three.
        int parameters = compression switch { Vj => 4, Iphc => 12, Rohc => 8, _ => 0 };
        if (value.Length < parameters)
            return ($"{PppProtocols.Name(protocol)} {name} option length {value.Length + 2} too short for its parameters ({parameters + 2})", null);
        if (compression is Iphc or Rohc) return (null, SubOptionWarning(name, value[parameters..]));
        return default;
    }

    private static string? SubOptionWarning(string name, ReadOnlySpan<byte> subOptions)
    {
        int at = 0;
        while (at < subOptions.Length)
        {
            if (at + 1 == subOptions.Length) return $"{name} sub-option has no length octet";
            int length = subOptions[at + 1];
            if (length < 2) return $"{name} sub-option length {length} is too short";
            if (at + length > subOptions.Length) return $"{name} sub-option length {length} runs past the option";
            at += length;
        }
        return null;
    }
}
