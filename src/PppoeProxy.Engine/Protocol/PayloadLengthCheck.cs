namespace PppoeProxy.Engine.Protocol;

/// <summary>
/// Whether a session frame carries more bytes after its PPPoE payload than Ethernet padding explains.
/// The rule is tshark's: padding brings the PPPoE part (header onward) to 46 bytes, a captured FCS adds 4,
/// and LCP, IPCP and IPv6CP are exempt because common peers pad those packets inside the PPPoE length.
/// </summary>
public static class PayloadLengthCheck
{
    private const int PaddedPppoePart = 46;
    private const int FcsLength = 4;

    public static string? Warning(in FrameView view)
    {
        if (!view.IsSessionStage || !view.IsPppoe || view.Bytes.Length < view.PayloadOffset) return null;
        int pppoePart = view.Bytes.Length - view.PppoeOffset;
        int actual = pppoePart - FrameView.PppoeHeaderLength;
        int sent = view.LengthField;
        if (pppoePart <= PaddedPppoePart || sent == actual || sent + FcsLength == actual) return null;
        // tshark reads the protocol as two octets even when it is compressed to one.
        int protocol = view.Bytes[view.PayloadOffset] << 8 | view.Bytes[view.PayloadOffset + 1];
        if (protocol is PppProtocols.Lcp or PppProtocols.Ipcp or PppProtocols.Ipv6cp) return null;
        return $"PPPoE length {sent} leaves {actual - sent} bytes after the payload that are not Ethernet padding";
    }
}
