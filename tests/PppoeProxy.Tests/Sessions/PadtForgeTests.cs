using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Tests.Protocol;
using Xunit;
using static PppoeProxy.Tests.Sessions.SessionTrackerTests;

namespace PppoeProxy.Tests.Sessions;

public class PadtForgeTests
{
    private const ushort Sid = 0x1234;
    private static readonly VlanTag[] Vlans = { new(EtherTypes.Vlan8021AD, 0xA064), new(EtherTypes.Vlan8021Q, 0x00C8) };

    private static PppoeSession Learn(params PppoeFrame[] frames)
    {
        var tracker = new SessionTracker();
        foreach (var frame in frames) tracker.Observe(FrameView.Parse(frame.ToBytes()), DateTimeOffset.UnixEpoch, "eth1");
        return Assert.Single(tracker.Snapshot());
    }

    [Fact]
    public void UnknownRolesSendThePadtBothWays()
    {
        var session = Learn(PppoeFrame.Session(Client, Ac, Sid, new byte[] { 0x00, 0x21, 0x45 }, Vlans),
            PppoeFrame.Session(Ac, Client, Sid, new byte[] { 0x00, 0x21, 0x45 }, Vlans));
        Assert.Equal(RoleConfidence.Unknown, session.RoleConfidence);
        var request = PadtRequest.ForSession(session, "bye");
        Assert.True(request.TowardClient);
        var padts = PadtForge.Build(request).Select(f => PppoeFrame.Parse(f.ToBytes())).ToList();
        Assert.Equal(2, padts.Count);
        Assert.All(padts, p => Assert.Equal("PADT", p.Code));
        Assert.Contains(padts, p => p.Source == Client && p.Destination == Ac);
        Assert.Contains(padts, p => p.Source == Ac && p.Destination == Client);
    }

    [Fact]
    public void KnownRolesSendOnePadtFromClientToAc()
    {
        var session = Learn(PppoeFrame.Session(Ac, Client, Sid, new byte[] { 0xC2, 0x23, 1, 1, 0, 4 }, Vlans));
        Assert.Equal(RoleConfidence.Likely, session.RoleConfidence);
        var request = PadtRequest.ForSession(session, "admin reset");
        Assert.False(request.TowardClient);
        var padt = PppoeFrame.Parse(Assert.Single(PadtForge.Build(request)).ToBytes());
        Assert.Null(padt.Error);
        Assert.Equal(Client, padt.Source);
        Assert.Equal(Ac, padt.Destination);
        Assert.Equal(Sid, padt.SessionId);
        Assert.Equal(0xA7, padt.CodeValue);
        Assert.Equal(Vlans, padt.VlanTags);
        var tag = Assert.Single(padt.Tags);
        Assert.Equal("Generic-Error", tag.Name);
        Assert.Equal("admin reset", tag.Value);
    }

    [Fact]
    public void LcpTerminateRequestPrecedesThePadt()
    {
        var request = new PadtRequest { Interface = "eth1", SessionId = Sid, ClientMac = Client, ServerMac = Ac,
            VlanTags = Vlans, Message = "maintenance", LcpTerminate = true, TowardClient = true };
        var frames = PadtForge.Build(request).Select(f => PppoeFrame.Parse(f.ToBytes())).ToList();
        Assert.Equal(4, frames.Count);
        int lastLcp = frames.FindLastIndex(f => f.Stage == "session");
        int firstPadt = frames.FindIndex(f => f.Code == "PADT");
        Assert.True(lastLcp < firstPadt, "RFC 2516: no PPP after the PADT");
        foreach (var lcp in frames.Take(2))
        {
            Assert.Null(lcp.Error);
            Assert.Equal("LCP", lcp.Ppp!.ProtocolName);
            Assert.Equal("Terminate-Request", lcp.Ppp.CodeName);
            Assert.Equal(Sid, lcp.SessionId);
            Assert.Equal(Vlans, lcp.VlanTags);
        }
        Assert.Equal(Client, frames[0].Source);
        Assert.Equal(Ac, frames[0].Destination);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0xFFFF)]
    public void ReservedSessionIdsAreRefused(int sid)
    {
        var request = new PadtRequest { Interface = "eth1", SessionId = (ushort)sid, ClientMac = Client, ServerMac = Ac };
        Assert.Throws<ArgumentOutOfRangeException>(() => PadtForge.Build(request));
    }

    [TsharkFact]
    public void TsharkDecodesTheForgedPadt()
    {
        var frames = PadtForge.Build(new PadtRequest { Interface = "eth1", SessionId = Sid, ClientMac = Client, ServerMac = Ac,
            VlanTags = Vlans, Message = "session killed by operator", LcpTerminate = true });
        var dir = ExternalTools.TempDir();
        try
        {
            var pcap = Path.Combine(dir, "padt.pcap");
            TestPcap.Write(pcap, frames.Select(f => f.ToBytes()));
            var rows = ExternalTools.TsharkFields(pcap, "eth.src", "eth.dst", "ieee8021ad.id", "vlan.id", "pppoe.code",
                "pppoe.session_id", "pppoed.tags.generic_error", "ppp.protocol", "ppp.code", "_ws.malformed");
            Assert.Equal(2, rows.Count);
            Assert.Equal(("0xc021", "5"), (rows[0]["ppp.protocol"], rows[0]["ppp.code"]));
            var padt = rows[1];
            Assert.Equal("0xa7", padt["pppoe.code"]);
            Assert.Equal("0x1234", padt["pppoe.session_id"]);
            Assert.Equal("session killed by operator", padt["pppoed.tags.generic_error"]);
            Assert.Equal(Client.ToString(), padt["eth.src"]);
            Assert.Equal(Ac.ToString(), padt["eth.dst"]);
            Assert.Equal(("100", "200"), (padt["ieee8021ad.id"], padt["vlan.id"]));
            Assert.All(rows, r => Assert.Equal("", r["_ws.malformed"]));
        }
        finally { Directory.Delete(dir, true); }
    }
}
