using System.Text;
using System.Text.Json.Serialization;

namespace PppoeProxy.Engine.Protocol;

/// <summary>
/// A PPPoE frame as shown to users (CLI JSON, PowerShell objects). Built from a <see cref="FrameView"/>
/// only when someone asks; the forwarding path never makes one.
/// </summary>
public sealed class PppoeFrame
{
    public DateTimeOffset Time { get; set; }
    public string? Interface { get; set; }
    public MacAddress Source { get; set; }
    public MacAddress Destination { get; set; }
    public int[] VlanIds => VlanTags.Select(t => t.Id).ToArray();
    /// <summary>"discovery" or "session"; null when the frame never reached a PPPoE header.</summary>
    public string? Stage => EtherType switch
    {
        EtherTypes.PppoeDiscovery => "discovery",
        EtherTypes.PppoeSession => "session",
        _ => null,
    };
    public string Code => Stage is null ? "" : PppoeCodes.Name(CodeValue, EtherType == EtherTypes.PppoeDiscovery);
    public byte CodeValue { get; set; }
    public int SessionId { get; set; }
    /// <summary>The PPPoE length field as sent.</summary>
    public int PayloadLength { get; set; }
    public IReadOnlyList<PppoeTag> Tags { get; set; } = Array.Empty<PppoeTag>();
    public PppInfo? Ppp { get; set; }
    /// <summary>Why the frame is malformed: its headers, or a control packet whose inner lengths overrun.</summary>
    public string? Error { get; set; }
    /// <summary>Something odd that does not break the frame: bytes after the payload beyond padding, an option of the wrong length.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Warning { get; set; }

    [JsonIgnore] public VlanTag[] VlanTags { get; set; } = Array.Empty<VlanTag>();
    [JsonIgnore] public ushort EtherType { get; set; } = EtherTypes.PppoeDiscovery;
    [JsonIgnore] public byte Version { get; set; } = 1;
    [JsonIgnore] public byte Type { get; set; } = 1;
    /// <summary>Session payload (PPP protocol field onward). Discovery frames are written from <see cref="Tags"/>.</summary>
    [JsonIgnore] public byte[] Payload { get; set; } = Array.Empty<byte>();
    /// <summary>Ethernet padding after the PPPoE payload, kept so a frame writes back byte for byte.</summary>
    [JsonIgnore] public byte[] Padding { get; set; } = Array.Empty<byte>();
    /// <summary>The captured bytes, when the frame came from the wire or a file.</summary>
    [JsonIgnore] public byte[]? RawBytes { get; set; }
    [JsonIgnore] public bool IsDiscovery => EtherType == EtherTypes.PppoeDiscovery;

    /// <summary>A one-line summary such as "PADO AC-Name=BRAS01 Service-Name=internet".</summary>
    [JsonIgnore]
    public string Summary
    {
        get
        {
            if (Error is not null) return (Ppp?.Code is null ? $"{Code} malformed: {Error}" : $"{Ppp} malformed: {Error}").TrimStart();
            if (Stage == "discovery")
            {
                var text = new StringBuilder(Code);
                foreach (var tag in Tags)
                {
                    if (tag.Type is (int)PppoeTagType.EndOfList) continue;
                    text.Append(' ').Append(tag.Type is (int)PppoeTagType.AcCookie or (int)PppoeTagType.HostUniq or (int)PppoeTagType.RelaySessionId
                        ? $"{tag.Name}=<{tag.RawValue.Length} bytes>" : tag.ToString());
                }
                return text.ToString();
            }
            var summary = Ppp is null ? Code : Ppp.ToString();
            // Warnings ride at the end so the one-line views still show the decoded part first.
            return Warning is null ? summary : $"{summary} (warning: {Warning})";
        }
    }

    public override string ToString() =>
        $"{Time:HH:mm:ss.fff} {Interface} {Source} -> {Destination} sid={SessionId} {Summary}".Replace("  ", " ");

    public static PppoeFrame FromView(in FrameView view, DateTimeOffset time, string? interfaceName, bool keepRawBytes = true)
    {
        var frame = new PppoeFrame
        {
            Time = time,
            Interface = interfaceName,
            Source = view.Source,
            Destination = view.Destination,
            EtherType = view.EtherType,
            Version = view.Version,
            Type = view.Type,
            CodeValue = view.Code,
            SessionId = view.SessionId,
            PayloadLength = view.LengthField,
            Error = view.ErrorText,
            RawBytes = keepRawBytes ? view.Bytes.ToArray() : null,
        };
        frame.VlanTags = view.VlanTagArray();
        if (view.IsDiscovery)
        {
            var tags = new List<PppoeTag>();
            foreach (var tag in view.Tags) tags.Add(new PppoeTag(tag.Type, tag.Value.ToArray()));
            frame.Tags = tags;
        }
        else if (view.IsSessionStage)
        {
            frame.Payload = view.Payload.ToArray();
            frame.Ppp = DecodePpp(view, out var problems);
            frame.Error ??= problems.Error;
            frame.Warning = JoinWarnings(PayloadLengthCheck.Warning(view), problems.Warning);
        }
        frame.Padding = view.Trailer.ToArray();
        return frame;
    }

    /// <summary>The PPP layer; the control body is decoded only when the header checks passed.</summary>
    private static PppInfo? DecodePpp(in FrameView view, out PppControlDecoder.Problems problems)
    {
        problems = default;
        if (view.PppProtocolFieldSize == 0) return null;
        if (view.HasPppControlHeader && view.IsValid)
            return PppControlDecoder.Decode(view.PppProtocol, view.PppPacket, out problems);
        return new PppInfo
        {
            Protocol = view.PppProtocol,
            Code = view.HasPppControlHeader ? view.PppCode : null,
            Identifier = view.HasPppControlHeader ? view.PppIdentifier : null,
        };
    }

    private static string? JoinWarnings(string? first, string? second) =>
        first is null ? second : second is null ? first : $"{first}; {second}";

    public static PppoeFrame Parse(ReadOnlySpan<byte> bytes, DateTimeOffset time = default, string? interfaceName = null) =>
        FromView(FrameView.Parse(bytes), time, interfaceName);

    [JsonIgnore] public int PppoePayloadLength => IsDiscovery ? Tags.Sum(t => 4 + t.RawValue.Length) : Payload.Length;

    [JsonIgnore] public int WireLength => FrameView.EthernetHeaderLength + VlanTags.Length * FrameView.VlanTagLength
        + FrameView.PppoeHeaderLength + PppoePayloadLength + Padding.Length;

    /// <summary>Writes the frame; the PPPoE length field is computed from the content.</summary>
    public int WriteTo(Span<byte> destination)
    {
        int offset = FrameWriter.WriteEthernetHeader(destination, Destination, Source, VlanTags, EtherType);
        int payloadLength = PppoePayloadLength;
        FrameWriter.WritePppoeHeader(destination[offset..], CodeValue, (ushort)SessionId, (ushort)payloadLength, Version, Type);
        offset += FrameView.PppoeHeaderLength;
        if (IsDiscovery)
        {
            foreach (var tag in Tags) offset += FrameWriter.WriteTag(destination[offset..], (ushort)tag.Type, tag.RawValue);
        }
        else
        {
            Payload.CopyTo(destination[offset..]);
            offset += Payload.Length;
        }
        Padding.CopyTo(destination[offset..]);
        return offset + Padding.Length;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[WireLength];
        WriteTo(bytes);
        return bytes;
    }

    public static PppoeFrame Discovery(PppoeCode code, MacAddress source, MacAddress destination, ushort sessionId,
        IEnumerable<PppoeTag> tags, IReadOnlyList<VlanTag>? vlans = null) => new PppoeFrame()
    {
        EtherType = EtherTypes.PppoeDiscovery,
        CodeValue = (byte)code,
        Source = source,
        Destination = destination,
        SessionId = sessionId,
        Tags = tags.ToList(),
        VlanTags = vlans?.ToArray() ?? Array.Empty<VlanTag>(),
        Time = DateTimeOffset.UtcNow,
    }.WithLengthFromContent();

    public static PppoeFrame Session(MacAddress source, MacAddress destination, ushort sessionId, byte[] pppPayload,
        IReadOnlyList<VlanTag>? vlans = null)
    {
        var frame = new PppoeFrame
        {
            EtherType = EtherTypes.PppoeSession,
            CodeValue = 0,
            Source = source,
            Destination = destination,
            SessionId = sessionId,
            Payload = pppPayload,
            VlanTags = vlans?.ToArray() ?? Array.Empty<VlanTag>(),
            Time = DateTimeOffset.UtcNow,
        }.WithLengthFromContent();
        var view = FrameView.Parse(frame.ToBytes());
        frame.Ppp = DecodePpp(view, out _);
        return frame;
    }

    private PppoeFrame WithLengthFromContent()
    {
        PayloadLength = PppoePayloadLength;
        return this;
    }
}
