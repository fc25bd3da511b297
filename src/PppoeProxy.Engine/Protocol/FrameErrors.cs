namespace PppoeProxy.Engine.Protocol;

/// <summary>The one-line text for a <see cref="FrameError"/>.</summary>
public static class FrameErrors
{
    public static string? Describe(FrameError error, int detail, int payloadAvailable) => error switch
    {
        FrameError.None => null,
        FrameError.TruncatedEthernet => $"truncated Ethernet header: {detail} bytes, need 14",
        FrameError.TruncatedVlan => $"truncated VLAN tag at byte {detail}",
        FrameError.TooManyVlanTags => $"more than {FrameView.MaxVlanTags} VLAN tags (third at byte {detail})",
        FrameError.NotPppoe => $"not a PPPoE frame (ethertype 0x{detail:x4})",
        FrameError.TruncatedPppoeHeader => $"truncated PPPoE header at byte {detail}",
        FrameError.BadVersionType => $"bad PPPoE version/type 0x{detail:x2} (must be 0x11)",
        FrameError.LengthPastFrame => $"PPPoE length {detail} runs past the frame ({payloadAvailable} payload bytes present)",
        FrameError.TruncatedTagHeader => $"truncated tag header at byte {detail}",
        FrameError.TagPastLength => $"tag at byte {detail} runs past the PPPoE length",
        FrameError.MissingPppProtocol => "session frame without a complete PPP protocol field",
        FrameError.TruncatedPppControl => $"truncated PPP control header ({detail} bytes, need 4)",
        FrameError.BadPppControlLength => $"PPP control length {detail} does not fit the payload",
        FrameError.UnknownDiscoveryCode => $"unknown PPPoE discovery code 0x{detail:x2}",
        FrameError.SessionCodeNotZero => $"PPPoE session frame with code 0x{detail:x2} (must be 0)",
        _ => error.ToString(),
    };
}
