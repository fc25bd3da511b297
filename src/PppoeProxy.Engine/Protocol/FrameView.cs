using System.Buffers.Binary;

namespace PppoeProxy.Engine.Protocol;

/// <summary>
/// A parsed view over one Ethernet frame: offsets and header fields, no copies, no allocation.
/// Parsing never throws; a malformed frame sets <see cref="Error"/> and keeps what was readable.
/// </summary>
public readonly ref struct FrameView
{
    public const int EthernetHeaderLength = 14;
    public const int VlanTagLength = 4;
    public const int PppoeHeaderLength = 6;
    public const int MaxVlanTags = 2;

    public ReadOnlySpan<byte> Bytes { get; }
    public MacAddress Destination { get; }
    public MacAddress Source { get; }
    public int VlanCount { get; }
    public ushort OuterVlanTpid { get; }
    public ushort OuterVlanTci { get; }
    public ushort InnerVlanTpid { get; }
    public ushort InnerVlanTci { get; }
    public ushort EtherType { get; }
    /// <summary>Offset of the PPPoE header, i.e. length of the Ethernet + VLAN headers.</summary>
    public int PppoeOffset { get; }
    public byte Version { get; }
    public byte Type { get; }
    public byte Code { get; }
    public ushort SessionId { get; }
    /// <summary>The PPPoE length field as sent: payload bytes after the 6-byte header.</summary>
    public ushort LengthField { get; }
    /// <summary>Payload bytes actually present (the length field, clipped to the frame).</summary>
    public int PayloadAvailable { get; }
    public ushort PppProtocol { get; }
    public byte PppProtocolFieldSize { get; }
    public bool HasPppControlHeader { get; }
    public byte PppCode { get; }
    public byte PppIdentifier { get; }
    public ushort PppLength { get; }
    public FrameError Error { get; }
    /// <summary>Where the error was found (byte offset in the frame) or a value that explains it.</summary>
    public int ErrorDetail { get; }

    public bool IsPppoe => EtherType is EtherTypes.PppoeDiscovery or EtherTypes.PppoeSession && Error != FrameError.NotPppoe;
    public bool IsDiscovery => EtherType == EtherTypes.PppoeDiscovery;
    public bool IsSessionStage => EtherType == EtherTypes.PppoeSession;
    public bool IsValid => Error == FrameError.None;
    public int PayloadOffset => PppoeOffset + PppoeHeaderLength;
    public ReadOnlySpan<byte> Payload => PayloadAvailable > 0 ? Bytes.Slice(PayloadOffset, PayloadAvailable) : default;
    /// <summary>Bytes after the PPPoE payload: Ethernet padding.</summary>
    public ReadOnlySpan<byte> Trailer => IsPppoe && PayloadOffset + PayloadAvailable <= Bytes.Length
        ? Bytes[(PayloadOffset + PayloadAvailable)..] : default;
    /// <summary>The PPP packet after the protocol field (session frames).</summary>
    public ReadOnlySpan<byte> PppPacket => PppProtocolFieldSize > 0 ? Payload[PppProtocolFieldSize..] : default;
    public ushort OuterVlanId => (ushort)(OuterVlanTci & 0x0FFF);
    public ushort InnerVlanId => (ushort)(InnerVlanTci & 0x0FFF);
    public bool IsLcp(byte code) => HasPppControlHeader && PppProtocol == PppProtocols.Lcp && PppCode == code;

    public TagEnumerator Tags => new(IsDiscovery ? Payload : default);

    /// <summary>The VLAN tags as objects (allocates: for the user-facing objects, not the forwarding path).</summary>
    public VlanTag[] VlanTagArray() => VlanCount switch
    {
        0 => Array.Empty<VlanTag>(),
        1 => new[] { new VlanTag(OuterVlanTpid, OuterVlanTci) },
        _ => new[] { new VlanTag(OuterVlanTpid, OuterVlanTci), new VlanTag(InnerVlanTpid, InnerVlanTci) },
    };

    public static FrameView Parse(ReadOnlySpan<byte> frame) => new(frame);

    /// <summary>Parses on this thread so far: lets a test prove a path parses each frame once.</summary>
    [ThreadStatic] internal static long ParsesOnThisThread;

    /// <summary>
    /// The view of a copy of this frame that only a relay edit changed: a new destination MAC and
    /// <paramref name="payloadDelta"/> payload bytes removed (negative) or added as whole tags, without
    /// the padding. Spares parsing the edited bytes again; the caller guarantees the edit.
    /// </summary>
    internal FrameView Rewritten(ReadOnlySpan<byte> edited, MacAddress destination, int payloadDelta) => new(this, edited, destination, payloadDelta);

    private FrameView(FrameView original, ReadOnlySpan<byte> edited, MacAddress destination, int payloadDelta)
    {
        this = original;
        Bytes = edited;
        Destination = destination;
        LengthField = (ushort)(original.LengthField + payloadDelta);
        PayloadAvailable = original.PayloadAvailable + payloadDelta;
    }

    private FrameView(ReadOnlySpan<byte> frame)
    {
        ParsesOnThisThread++;
        Bytes = frame;
        if (frame.Length < EthernetHeaderLength)
        {
            Error = FrameError.TruncatedEthernet;
            ErrorDetail = frame.Length;
            return;
        }
        Destination = MacAddress.Read(frame);
        Source = MacAddress.Read(frame[6..]);
        int offset = 12;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        while (EtherTypes.IsVlan(type))
        {
            if (VlanCount == MaxVlanTags)
            {
                Error = FrameError.TooManyVlanTags;
                ErrorDetail = offset;
                EtherType = type;
                return;
            }
            if (frame.Length < offset + 2 + VlanTagLength)
            {
                Error = FrameError.TruncatedVlan;
                ErrorDetail = offset;
                EtherType = type;
                return;
            }
            ushort tci = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            if (VlanCount == 0) { OuterVlanTpid = type; OuterVlanTci = tci; }
            else { InnerVlanTpid = type; InnerVlanTci = tci; }
            VlanCount++;
            offset += VlanTagLength;
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        }
        EtherType = type;
        PppoeOffset = offset + 2;
        if (type is not (EtherTypes.PppoeDiscovery or EtherTypes.PppoeSession))
        {
            Error = FrameError.NotPppoe;
            ErrorDetail = type;
            return;
        }
        var pppoe = frame[PppoeOffset..];
        if (pppoe.Length < PppoeHeaderLength)
        {
            Error = FrameError.TruncatedPppoeHeader;
            ErrorDetail = PppoeOffset;
            return;
        }
        Version = (byte)(pppoe[0] >> 4);
        Type = (byte)(pppoe[0] & 0x0F);
        Code = pppoe[1];
        SessionId = BinaryPrimitives.ReadUInt16BigEndian(pppoe[2..]);
        LengthField = BinaryPrimitives.ReadUInt16BigEndian(pppoe[4..]);
        int present = pppoe.Length - PppoeHeaderLength;
        PayloadAvailable = Math.Min(LengthField, present);
        if (Version != 1 || Type != 1)
        {
            Error = FrameError.BadVersionType;
            ErrorDetail = pppoe[0];
        }
        else if (LengthField > present)
        {
            Error = FrameError.LengthPastFrame;
            ErrorDetail = LengthField;
        }
        else if (IsDiscovery ? Code == 0 || !PppoeCodes.IsKnown(Code) : Code != 0)
        {
            Error = IsDiscovery ? FrameError.UnknownDiscoveryCode : FrameError.SessionCodeNotZero;
            ErrorDetail = Code;
        }

        var payload = frame.Slice(PayloadOffset, PayloadAvailable);
        FrameError inner;
        int innerDetail;
        if (IsDiscovery)
        {
            (inner, innerDetail) = ValidateTags(payload, PayloadOffset);
        }
        else
        {
            (inner, innerDetail) = ParsePpp(payload, out var protocol, out var protocolSize, out var hasControl,
                out var code, out var identifier, out var length);
            PppProtocol = protocol;
            PppProtocolFieldSize = protocolSize;
            HasPppControlHeader = hasControl;
            PppCode = code;
            PppIdentifier = identifier;
            PppLength = length;
        }
        // The header error is the more fundamental one; keep it when both exist.
        if (Error == FrameError.None && inner != FrameError.None)
        {
            Error = inner;
            ErrorDetail = innerDetail;
        }
    }

    private static (FrameError, int) ValidateTags(ReadOnlySpan<byte> payload, int baseOffset)
    {
        int position = 0;
        while (position < payload.Length)
        {
            if (payload.Length - position < 4) return (FrameError.TruncatedTagHeader, baseOffset + position);
            int length = BinaryPrimitives.ReadUInt16BigEndian(payload[(position + 2)..]);
            if (position + 4 + length > payload.Length) return (FrameError.TagPastLength, baseOffset + position);
            position += 4 + length;
        }
        return (FrameError.None, 0);
    }

    private static (FrameError, int) ParsePpp(ReadOnlySpan<byte> payload, out ushort protocol, out byte protocolSize,
        out bool hasControl, out byte code, out byte identifier, out ushort length)
    {
        protocol = 0; protocolSize = 0; hasControl = false; code = 0; identifier = 0; length = 0;
        if (payload.Length == 0) return (FrameError.MissingPppProtocol, 0);
        // RFC 1661 protocol-field compression: an odd first octet is a whole one-octet protocol.
        if ((payload[0] & 1) == 1)
        {
            protocol = payload[0];
            protocolSize = 1;
        }
        else
        {
            if (payload.Length < 2) return (FrameError.MissingPppProtocol, 1);
            protocol = BinaryPrimitives.ReadUInt16BigEndian(payload);
            protocolSize = 2;
        }
        if (!PppProtocols.IsControl(protocol)) return (FrameError.None, 0);
        var packet = payload[protocolSize..];
        if (packet.Length < 4) return (FrameError.TruncatedPppControl, packet.Length);
        hasControl = true;
        code = packet[0];
        identifier = packet[1];
        length = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (length < 4 || length > packet.Length) return (FrameError.BadPppControlLength, length);
        return (FrameError.None, 0);
    }

    /// <summary>One-line description of <see cref="Error"/>, built only when asked.</summary>
    public string? ErrorText => FrameErrors.Describe(Error, ErrorDetail, PayloadAvailable);
}
