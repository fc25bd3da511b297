namespace PppoeProxy.Engine.Protocol;

public static class PppProtocols
{
    public const ushort IPv4 = 0x0021;
    public const ushort IPv6 = 0x0057;
    public const ushort Lcp = 0xC021;
    public const ushort Pap = 0xC023;
    public const ushort Chap = 0xC223;
    public const ushort Ipcp = 0x8021;
    public const ushort Ipv6cp = 0x8057;

    /// <summary>Protocols whose packets start with code, identifier, length.</summary>
    public static bool IsControl(ushort protocol) => protocol is Lcp or Pap or Chap or Ipcp or Ipv6cp;

    public static string Name(ushort protocol) => protocol switch
    {
        IPv4 => "IPv4",
        IPv6 => "IPv6",
        Lcp => "LCP",
        Pap => "PAP",
        Chap => "CHAP",
        Ipcp => "IPCP",
        Ipv6cp => "IPv6CP",
        _ => $"0x{protocol:x4}",
    };

    public static string CodeName(ushort protocol, byte code) => protocol switch
    {
        Pap => code switch { 1 => "Authenticate-Request", 2 => "Authenticate-Ack", 3 => "Authenticate-Nak", _ => $"Code-{code}" },
        Chap => code switch { 1 => "Challenge", 2 => "Response", 3 => "Success", 4 => "Failure", _ => $"Code-{code}" },
        _ => code switch
        {
            1 => "Configure-Request",
            2 => "Configure-Ack",
            3 => "Configure-Nak",
            4 => "Configure-Reject",
            5 => "Terminate-Request",
            6 => "Terminate-Ack",
            7 => "Code-Reject",
            8 when protocol == Lcp => "Protocol-Reject",
            9 when protocol == Lcp => "Echo-Request",
            10 when protocol == Lcp => "Echo-Reply",
            11 when protocol == Lcp => "Discard-Request",
            12 when protocol == Lcp => "Identification",
            13 when protocol == Lcp => "Time-Remaining",
            _ => $"Code-{code}",
        },
    };

    public const byte LcpConfigureAck = 2;
    public const byte LcpTerminateRequest = 5;
    public const byte LcpEchoRequest = 9;
    public const byte LcpEchoReply = 10;
    public const byte PapAuthenticateRequest = 1;
    public const byte ChapChallenge = 1;
    public const byte ChapResponse = 2;
}
