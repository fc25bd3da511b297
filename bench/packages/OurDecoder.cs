using System.Text;
using PppoeProxy.Engine.Protocol;

namespace PackageBench;

/// <summary>The engine's codec: FrameView (span, no allocation) and, for TR-101 sub-tags, the PppoeTag model.</summary>
public static class OurDecoder
{
    public static FieldSet ToFields(byte[] bytes)
    {
        var view = FrameView.Parse(bytes);
        var set = new FieldSet();
        if (view.VlanCount > 0) set["vlan"] = view.VlanCount == 1 ? $"{view.OuterVlanId}" : $"{view.OuterVlanId},{view.InnerVlanId}";
        bool headerRead = view.IsPppoe && view.Error is not (FrameError.TruncatedPppoeHeader or FrameError.TruncatedEthernet
            or FrameError.TruncatedVlan or FrameError.TooManyVlanTags);
        if (headerRead)
        {
            set.Append("ver", view.Version); set.Append("type", view.Type); set.Append("code", view.Code);
            set.Append("sid", view.SessionId); set.Append("plen", view.LengthField);
        }
        foreach (var tag in view.Tags) AddTag(set, tag.Type, tag.Value);
        if (view.PppProtocolFieldSize > 0) { set.Append("ppp_proto", view.PppProtocol); set.Append("ppp_bytes", view.PppPacket.Length); }
        if (view.HasPppControlHeader)
        {
            set.Append("ppp_code", view.PppCode); set.Append("ppp_id", view.PppIdentifier); set.Append("ppp_len", view.PppLength);
        }
        set["malformed"] = view.IsValid ? "no" : "yes";
        return set;
    }

    private static void AddTag(FieldSet set, ushort type, ReadOnlySpan<byte> value)
    {
        switch (type)
        {
            case 0x0101: set.Append("service_name", Encoding.UTF8.GetString(value)); break;
            case 0x0102: set.Append("ac_name", Encoding.UTF8.GetString(value)); break;
            case 0x0103: set.Append("host_uniq", Convert.ToHexString(value).ToLowerInvariant()); break;
            case 0x0104: set.Append("ac_cookie", Convert.ToHexString(value).ToLowerInvariant()); break;
            case 0x0203: set.Append("generic_error", Encoding.UTF8.GetString(value)); break;
            case 0x0105:
                var tag = new PppoeTag(type, value.ToArray()); // the user-facing model decodes TR-101 sub-tags
                if (tag.VendorId is uint id) set.Append("vendor_id", id);
                if (tag.AgentCircuitId is string circuit) set.Append("circuit_id", circuit);
                if (tag.AgentRemoteId is string remote) set.Append("remote_id", remote);
                break;
        }
    }

    /// <summary>The timed work: every header field, every tag walked, the PPP control header.</summary>
    public static int DecodeHot(byte[] bytes)
    {
        var view = FrameView.Parse(bytes);
        int sum = view.Code + view.SessionId + view.LengthField + view.OuterVlanId + view.InnerVlanId + view.PppProtocol
            + view.PppCode + view.PppIdentifier + (int)view.Error;
        foreach (var tag in view.Tags) sum += tag.Type + tag.Value.Length;
        return sum;
    }

    /// <summary>The user-facing object (what Read-PppoeCapture emits): allocates like PacketDotNet does.</summary>
    public static int DecodeObjects(byte[] bytes)
    {
        var frame = PppoeFrame.Parse(bytes);
        return frame.CodeValue + frame.SessionId + frame.Tags.Count + (frame.Ppp?.Protocol ?? 0) + frame.VlanTags.Length;
    }
}
