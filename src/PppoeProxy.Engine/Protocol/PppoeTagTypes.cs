namespace PppoeProxy.Engine.Protocol;

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
