using PppoeProxy.Engine.Protocol;
using PppoeProxy.Tests.Protocol;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// One frame per malformed class a hostile peer can send with a PPPoE ethertype (the probe's four
/// classes first), built byte by byte. Each carries a marker in its bytes so a capture can tell
/// whether it got through.
/// </summary>
internal static class MalformedFrames
{
    /// <summary>Bytes in every frame below: a capture at the far side that holds them was reached.</summary>
    public static readonly byte[] Marker = { 0x6d, 0x61, 0x6c, 0x66, 0x6f, 0x72, 0x6d, 0x21 }; // "malform!"

    public static IReadOnlyList<(FrameError Class, byte[] Frame)> All(MacAddress src, MacAddress dst, ushort sessionId)
    {
        var none = Array.Empty<(ushort, ushort)>();
        byte[] Eth(ushort type, byte[] pppoe) => RawFrames.Ethernet(dst, src, none, type, pppoe);
        byte[] Ses(byte[] ppp, int? length = null, byte code = 0, byte verType = 0x11) =>
            Eth(EtherTypes.PppoeSession, RawFrames.Pppoe(verType, code, sessionId, ppp, length));
        byte[] Disc(byte code, byte[] payload, int? length = null, ushort sid = 0) =>
            Eth(EtherTypes.PppoeDiscovery, RawFrames.Pppoe(0x11, code, sid, payload, length));
        var echo = new byte[] { 0xc0, 0x21 }.Concat(RawFrames.Control(9, 1, Marker)).ToArray();
        var serviceName = RawFrames.Tag(0x0101, Marker);
        return new (FrameError, byte[])[]
        {
            // The probe's classes: length past the end, a PADI tag past the end, code 0xA7 on 0x8864, unknown codes.
            (FrameError.LengthPastFrame, Ses(echo, length: 1400)),
            (FrameError.TagPastLength, Disc(0x09, serviceName.Concat(RawFrames.Tag(0x0103, Marker, lengthField: 200)).ToArray())),
            (FrameError.SessionCodeNotZero, Ses(echo, code: 0xA7)),
            (FrameError.UnknownDiscoveryCode, Disc(0x42, serviceName, sid: sessionId)),
            (FrameError.UnknownDiscoveryCode, Disc(0x00, serviceName, sid: sessionId)),
            // The rest of what the parser refuses.
            (FrameError.BadVersionType, Ses(echo, verType: 0x21)),
            (FrameError.TruncatedTagHeader, Disc(0x09, serviceName.Concat(new byte[] { 0x01, 0x03 }).ToArray())),
            (FrameError.MissingPppProtocol, Ses(Array.Empty<byte>()).Concat(Marker).ToArray()), // marker as padding
            (FrameError.TruncatedPppControl, Ses(new byte[] { 0xc0, 0x21, 9 }).Concat(Marker).ToArray()),
            (FrameError.BadPppControlLength, Ses(new byte[] { 0xc0, 0x21 }.Concat(RawFrames.Control(9, 1, Marker, lengthField: 300)).ToArray())),
            (FrameError.TruncatedPppoeHeader, Eth(EtherTypes.PppoeSession, new byte[] { 0x11, 0x00, 0x00 })),
        };
    }
}
