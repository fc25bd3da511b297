using System.Buffers.Binary;
using System.Text;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Sessions;

/// <summary>Discovery probe: one PADI out, every matching PADO collected.</summary>
public sealed class PadiProbe
{
    public PadiProbe(MacAddress ourMac, string? serviceName = null, byte[]? hostUniq = null, IReadOnlyList<VlanTag>? vlans = null)
    {
        OurMac = ourMac;
        ServiceName = serviceName ?? "";
        HostUniq = hostUniq ?? BitConverter.GetBytes(Random.Shared.NextInt64());
        Vlans = vlans ?? Array.Empty<VlanTag>();
    }

    public MacAddress OurMac { get; }
    public string ServiceName { get; }
    public byte[] HostUniq { get; }
    public IReadOnlyList<VlanTag> Vlans { get; }

    public PppoeFrame BuildPadi() => PppoeFrame.Discovery(PppoeCode.PADI, OurMac, MacAddress.Broadcast, 0, new[]
    {
        // An empty Service-Name asks for any service (RFC 2516 5.1).
        new PppoeTag(PppoeTagType.ServiceName, ServiceName),
        new PppoeTag((ushort)PppoeTagType.HostUniq, HostUniq),
    }, Vlans);

    /// <summary>An offer when the frame is a PADO to us that echoes our Host-Uniq; null otherwise.</summary>
    public PppoeOffer? TryAccept(in FrameView frame, string? interfaceName)
    {
        if (!frame.IsDiscovery || frame.Code != (byte)PppoeCode.PADO || frame.Destination != OurMac) return null;
        if (!TagEnumerator.TryFind(frame.Payload, (ushort)PppoeTagType.HostUniq, out var uniq) || !uniq.SequenceEqual(HostUniq))
            return null;
        string? acName = null;
        int? maxPayload = null;
        bool cookie = false;
        var services = new List<string>();
        foreach (var tag in frame.Tags)
        {
            switch ((PppoeTagType)tag.Type)
            {
                case PppoeTagType.AcName: acName = Encoding.UTF8.GetString(tag.Value); break;
                case PppoeTagType.ServiceName: services.Add(Encoding.UTF8.GetString(tag.Value)); break;
                case PppoeTagType.AcCookie: cookie = true; break;
                case PppoeTagType.PppMaxPayload when tag.Value.Length == 2:
                    maxPayload = BinaryPrimitives.ReadUInt16BigEndian(tag.Value);
                    break;
            }
        }
        return new PppoeOffer
        {
            Interface = interfaceName,
            AcName = acName,
            AcMac = frame.Source,
            Services = services.ToArray(),
            Cookie = cookie,
            MaxPayload = maxPayload,
        };
    }
}
