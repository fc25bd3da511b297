using PacketDotNet;

namespace PackageBench;

/// <summary>PacketDotNet 1.4.8: everything it exposes for PPPoE/PPP, reached the documented way (ParsePacket, PayloadPacket).</summary>
public static class PacketDotNetDecoder
{
    public static FieldSet ToFields(byte[] bytes)
    {
        var set = new FieldSet();
        try
        {
            var packet = Packet.ParsePacket(LinkLayers.Ethernet, bytes);
            var inner = packet.PayloadPacket;
            while (inner is Ieee8021QPacket vlan)
            {
                set.Append("vlan", vlan.VlanIdentifier);
                inner = vlan.PayloadPacket;
            }
            if (inner is PppoePacket pppoe)
            {
                set.Append("ver", pppoe.Version); set.Append("type", pppoe.Type); set.Append("code", (int)pppoe.Code);
                set.Append("sid", pppoe.SessionId); set.Append("plen", pppoe.Length);
                if (pppoe.PayloadPacket is PppPacket ppp)
                {
                    set.Append("ppp_proto", (int)ppp.Protocol);
                    set.Append("ppp_bytes", ppp.HasPayloadData ? ppp.PayloadDataSegment.Length : ppp.PayloadPacket.TotalPacketLength);
                }
            }
            // No error flag exists: a frame that parses is, as far as the caller can tell, well formed.
            set["malformed"] = "no";
        }
        catch (Exception e)
        {
            set["malformed"] = "yes";
            set["exception"] = e.GetType().Name;
        }
        return set;
    }

    /// <summary>The same work as OurDecoder.DecodeHot, as far as the API goes (discovery frames stop at raw bytes).</summary>
    public static int DecodeHot(byte[] bytes)
    {
        var packet = Packet.ParsePacket(LinkLayers.Ethernet, bytes);
        int sum = 0;
        Packet holder = packet;
        var inner = packet.PayloadPacket;
        while (inner is Ieee8021QPacket vlan)
        {
            sum += vlan.VlanIdentifier;
            holder = vlan;
            inner = vlan.PayloadPacket;
        }
        if (inner is PppoePacket pppoe)
        {
            sum += (int)pppoe.Code + pppoe.SessionId + pppoe.Length;
            if (pppoe.PayloadPacket is PppPacket ppp) sum += (int)ppp.Protocol + (ppp.PayloadDataSegment?.Length ?? 0);
        }
        else if (inner is null)
        {
            sum += holder.PayloadDataSegment?.Length ?? 0;
        }
        return sum;
    }
}
