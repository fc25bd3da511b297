using System.Buffers.Binary;

namespace PppoeProxy.Engine.Protocol;

/// <summary>IPv6CP configuration options (RFC 5072).</summary>
public static class Ipv6cpOptions
{
    public const byte InterfaceId = 1, Ipv6Compression = 2;

    public static string Name(byte type) => type switch
    {
        InterfaceId => "Interface-Id",
        Ipv6Compression => "IPv6-Compression",
        _ => $"Option-{type}",
    };

    public static PppOptionRule Rule(byte type) => type switch
    {
        InterfaceId => PppOptionRule.Exactly(10),
        Ipv6Compression => PppOptionRule.AtLeast(4, shortIsMalformed: true),
        _ => PppOptionRule.Any,
    };

    /// <summary>The interface identifier as four hex groups, the way it ends an IPv6 address.</summary>
    public static string? Value(byte type, ReadOnlySpan<byte> data) => type switch
    {
        InterfaceId => $"{BinaryPrimitives.ReadUInt16BigEndian(data):x4}:{BinaryPrimitives.ReadUInt16BigEndian(data[2..]):x4}:"
            + $"{BinaryPrimitives.ReadUInt16BigEndian(data[4..]):x4}:{BinaryPrimitives.ReadUInt16BigEndian(data[6..]):x4}",
        Ipv6Compression => $"0x{BinaryPrimitives.ReadUInt16BigEndian(data):x4}",
        _ => null,
    };
}
