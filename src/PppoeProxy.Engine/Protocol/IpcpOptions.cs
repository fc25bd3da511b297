using System.Buffers.Binary;
using System.Net;

namespace PppoeProxy.Engine.Protocol;

/// <summary>IPCP configuration options (RFC 1332, 1877).</summary>
public static class IpcpOptions
{
    public const byte IpCompression = 2, IpAddress = 3, PrimaryDns = 129, PrimaryNbns = 130, SecondaryDns = 131, SecondaryNbns = 132;

    public static string Name(byte type) => type switch
    {
        1 => "IP-Addresses",
        IpCompression => "IP-Compression",
        IpAddress => "Address",
        4 => "Mobile-IPv4",
        PrimaryDns => "DNS1",
        PrimaryNbns => "NBNS1",
        SecondaryDns => "DNS2",
        SecondaryNbns => "NBNS2",
        _ => $"Option-{type}",
    };

    public static PppOptionRule Rule(byte type) => type switch
    {
        1 => PppOptionRule.Exactly(10),
        // Every reader takes the 2-octet protocol from this option, so a shorter one breaks the packet.
        IpCompression => PppOptionRule.AtLeast(4, shortIsMalformed: true),
        IpAddress or 4 or PrimaryDns or PrimaryNbns or SecondaryDns or SecondaryNbns => PppOptionRule.Exactly(6),
        _ => PppOptionRule.Any,
    };

    public static string? Value(byte type, ReadOnlySpan<byte> data) => type switch
    {
        IpAddress or 4 or PrimaryDns or PrimaryNbns or SecondaryDns or SecondaryNbns => new IPAddress(data[..4]).ToString(),
        1 => $"{new IPAddress(data[..4])},{new IPAddress(data[4..8])}",
        IpCompression => BinaryPrimitives.ReadUInt16BigEndian(data) switch { 0x002D => "VJ", 0x0061 => "IPHC", var p => $"0x{p:x4}" },
        _ => null,
    };
}
