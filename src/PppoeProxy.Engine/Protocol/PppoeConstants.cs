namespace PppoeProxy.Engine.Protocol;

public static class EtherTypes
{
    public const ushort PppoeDiscovery = 0x8863;
    public const ushort PppoeSession = 0x8864;
    public const ushort Vlan8021Q = 0x8100;
    public const ushort Vlan8021AD = 0x88A8;
    /// <summary>Pre-standard QinQ outer tag some switches still emit.</summary>
    public const ushort Vlan9100 = 0x9100;

    public static bool IsVlan(ushort type) => type is Vlan8021Q or Vlan8021AD or Vlan9100;
}

/// <summary>PPPoE codes: RFC 2516, RFC 5578 (PADG/PADC/PADQ) and the PADM/PADN drafts.</summary>
public enum PppoeCode : byte
{
    Session = 0x00,
    PADO = 0x07,
    PADI = 0x09,
    PADG = 0x0A,
    PADC = 0x0B,
    PADQ = 0x0C,
    PADR = 0x19,
    PADS = 0x65,
    PADT = 0xA7,
    PADM = 0xD3,
    PADN = 0xD4,
}

public static class PppoeCodes
{
    public static bool IsKnown(byte code) => Enum.IsDefined(typeof(PppoeCode), code);

    public static string Name(byte code, bool discovery) => discovery
        ? (code != 0 && IsKnown(code) ? ((PppoeCode)code).ToString() : $"Unknown(0x{code:x2})")
        : (code == 0 ? "Session" : $"Unknown(0x{code:x2})");
}

/// <summary>Tag types from the IANA PPPoE registry.</summary>
public enum PppoeTagType : ushort
{
    EndOfList = 0x0000,
    ServiceName = 0x0101,
    AcName = 0x0102,
    HostUniq = 0x0103,
    AcCookie = 0x0104,
    VendorSpecific = 0x0105,
    Credits = 0x0106,
    Metrics = 0x0107,
    SequenceNumber = 0x0108,
    CreditScaleFactor = 0x0109,
    RelaySessionId = 0x0110,
    Hurl = 0x0111,
    Motm = 0x0112,
    PppMaxPayload = 0x0120,
    IpRouteAdd = 0x0121,
    ServiceNameError = 0x0201,
    AcSystemError = 0x0202,
    GenericError = 0x0203,
}

public static class PppoeTagTypes
{
    /// <summary>Broadband Forum (TR-101) vendor id inside Vendor-Specific tags.</summary>
    public const uint BroadbandForumVendorId = 3561;

    public static string Name(ushort type) => type switch
    {
        0x0000 => "End-Of-List",
        0x0101 => "Service-Name",
        0x0102 => "AC-Name",
        0x0103 => "Host-Uniq",
        0x0104 => "AC-Cookie",
        0x0105 => "Vendor-Specific",
        0x0106 => "Credits",
        0x0107 => "Metrics",
        0x0108 => "Sequence Number",
        0x0109 => "Credit Scale Factor",
        0x0110 => "Relay-Session-Id",
        0x0111 => "HURL",
        0x0112 => "MOTM",
        0x0120 => "PPP-Max-Payload",
        0x0121 => "IP_Route_Add",
        0x0201 => "Service-Name-Error",
        0x0202 => "AC-System-Error",
        0x0203 => "Generic-Error",
        _ => $"Unknown(0x{type:x4})",
    };

    /// <summary>Tags whose value is UTF-8 text (RFC 2516 says so for these).</summary>
    public static bool IsText(ushort type) => type is 0x0101 or 0x0102 or 0x0201 or 0x0202 or 0x0203;
}

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

    public const byte LcpTerminateRequest = 5;
    public const byte LcpEchoRequest = 9;
    public const byte LcpEchoReply = 10;
    public const byte PapAuthenticateRequest = 1;
    public const byte ChapChallenge = 1;
    public const byte ChapResponse = 2;
}
