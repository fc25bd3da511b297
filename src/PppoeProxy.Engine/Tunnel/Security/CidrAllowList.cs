using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PppoeProxy.Engine.Tunnel.Security;

/// <summary>
/// Which source addresses may connect to the tunnel server, checked before TLS so strangers cost
/// nothing. Entries are IPv4/IPv6 CIDRs or bare addresses; IPv4-mapped IPv6 peers (what a
/// dual-stack socket reports) are matched against the IPv4 entries. Immutable and thread-safe;
/// <see cref="Allows"/> does not allocate.
/// </summary>
public sealed class CidrAllowList
{
    private readonly Entry[] _entries;

    private CidrAllowList(Entry[] entries) => _entries = entries;

    /// <summary>127.0.0.0/8 and ::1: the safe default until an operator opens it up.</summary>
    public static CidrAllowList LoopbackOnly { get; } = Parse("127.0.0.0/8,::1/128");

    /// <summary>Every address; for when TLS pinning alone is the access control.</summary>
    public static CidrAllowList Any { get; } = Parse("0.0.0.0/0,::/0");

    /// <summary>Parses a comma- (or whitespace-) separated list, e.g. "192.168.1.0/24, 10.0.0.7, fd00::/8".
    /// Host bits below the prefix are cleared (192.168.1.5/24 means 192.168.1.0/24).</summary>
    /// <exception cref="CidrFormatException">Empty list or a bad entry.</exception>
    public static CidrAllowList Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(new[] { ',', ' ', '\t', '\n', '\r' }, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new CidrFormatException("allow list is empty (use 0.0.0.0/0,::/0 to allow every address)");
        return new CidrAllowList(parts.Select(ParseEntry).Distinct().ToArray());
    }

    public static bool TryParse(string? text, out CidrAllowList? list)
    {
        list = null;
        if (text is null) return false;
        try { list = Parse(text); return true; }
        catch (CidrFormatException) { return false; }
    }

    public bool Allows(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!TryGetKey(address, out UInt128 value, out bool isV4)) return false;
        foreach (Entry e in _entries)
        {
            if (e.IsV4 == isV4 && (value & e.Mask) == e.Network) return true;
        }
        return false;
    }

    public IReadOnlyList<string> Entries => _entries.Select(e => e.ToString()).ToArray();

    public override string ToString() => string.Join(",", _entries);

    private static Entry ParseEntry(string entry)
    {
        int slash = entry.IndexOf('/');
        string addressText = slash < 0 ? entry : entry[..slash];
        if (addressText.Contains('%'))
            throw new CidrFormatException($"'{entry}' is not a valid allow-list entry: zone ids (%eth0) are not supported");
        // IPAddress.TryParse accepts "10" and "10.1" as shorthand; demand dotted quads for IPv4.
        if (!IPAddress.TryParse(addressText, out IPAddress? address)
            || (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
            throw new CidrFormatException($"'{entry}' is not a valid allow-list entry: '{addressText}' is not an IP address");

        int maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = maxPrefix;
        if (slash >= 0)
        {
            string prefixText = entry[(slash + 1)..];
            if (!int.TryParse(prefixText, System.Globalization.NumberStyles.None, null, out prefix) || prefix > maxPrefix)
                throw new CidrFormatException($"'{entry}' is not a valid allow-list entry: prefix length must be 0-{maxPrefix}");
        }

        // ::ffff:a.b.c.d/104 is an IPv4 range in IPv6 clothing; store it as IPv4 so it matches both forms.
        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }
        TryGetKey(address, out UInt128 value, out bool isV4);
        int width = isV4 ? 32 : 128;
        UInt128 all = isV4 ? uint.MaxValue : UInt128.MaxValue;
        UInt128 mask = prefix == 0 ? UInt128.Zero : (all << (width - prefix)) & all;
        return new Entry(value & mask, mask, prefix, isV4);
    }

    // Reads the address as a number without allocating; IPv4-mapped IPv6 becomes plain IPv4.
    private static bool TryGetKey(IPAddress address, out UInt128 value, out bool isV4)
    {
        Span<byte> bytes = stackalloc byte[16];
        value = default;
        isV4 = false;
        if (!address.TryWriteBytes(bytes, out int written)) return false;
        if (written == 4)
        {
            isV4 = true;
            value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            return true;
        }
        if (written != 16) return false;
        if (bytes[..10].IndexOfAnyExcept((byte)0) < 0 && bytes[10] == 0xFF && bytes[11] == 0xFF)
        {
            isV4 = true;
            value = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
            return true;
        }
        value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return true;
    }

    private readonly record struct Entry(UInt128 Network, UInt128 Mask, int Prefix, bool IsV4)
    {
        public override string ToString()
        {
            Span<byte> bytes = stackalloc byte[16];
            if (IsV4) BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Network);
            else BinaryPrimitives.WriteUInt128BigEndian(bytes, Network);
            return $"{new IPAddress(bytes[..(IsV4 ? 4 : 16)])}/{Prefix}";
        }
    }
}
