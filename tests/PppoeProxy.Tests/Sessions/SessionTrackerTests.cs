using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using Xunit;

namespace PppoeProxy.Tests.Sessions;

public class SessionTrackerTests
{
    internal static readonly MacAddress Client = MacAddress.Parse("02:00:00:00:00:0c");
    internal static readonly MacAddress Ac = MacAddress.Parse("00:00:5e:00:53:01");
    private static readonly DateTimeOffset T0 = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private const ushort Sid = 0x0042;

    private readonly SessionTracker _tracker;
    private int _tick;

    public SessionTrackerTests() : this(null) { }
    private SessionTrackerTests(Func<MacAddress, bool>? isLocal) => _tracker = new SessionTracker(isLocal);

    private int Feed(PppoeFrame frame, SessionTracker? tracker = null)
    {
        var bytes = frame.ToBytes();
        (tracker ?? _tracker).Observe(FrameView.Parse(bytes), T0.AddSeconds(_tick++), "eth0");
        return bytes.Length;
    }

    internal static byte[] Lcp(byte code, byte id, int dataLength = 4) =>
        new byte[] { 0xC0, 0x21, code, id, 0, (byte)(4 + dataLength) }.Concat(new byte[dataLength]).ToArray();

    private static byte[] Control(ushort protocol, byte code, byte id) =>
        new byte[] { (byte)(protocol >> 8), (byte)protocol, code, id, 0, 6, 1, 0x41 };

    private static PppoeFrame Data(MacAddress from, MacAddress to, ushort sid = Sid, VlanTag[]? vlans = null) =>
        PppoeFrame.Session(from, to, sid, new byte[] { 0x00, 0x21, 0x45, 0, 0, 20 }, vlans);

    private static PppoeFrame Echo(MacAddress from, MacAddress to, byte id) => PppoeFrame.Session(from, to, Sid, Lcp(9, id));

    private PppoeSession Single() => Assert.Single(_tracker.Snapshot());

    [Fact]
    public void FullDiscoveryFlowMovesThroughTheStates()
    {
        var vlans = VlanTag.FromIds(new[] { 100, 200 });
        var uniq = new byte[] { 0xDE, 0xAD, 0xBE, 0xEF };
        PppoeTag Svc() => new(PppoeTagType.ServiceName, "internet");
        PppoeTag Uniq() => new((ushort)PppoeTagType.HostUniq, uniq);
        Feed(PppoeFrame.Discovery(PppoeCode.PADI, Client, MacAddress.Broadcast, 0, new[] { Svc(), Uniq() }, vlans));
        Feed(PppoeFrame.Discovery(PppoeCode.PADO, Ac, Client, 0, new[] { new PppoeTag(PppoeTagType.AcName, "BRAS01"), Svc(), Uniq() }, vlans));
        Assert.Equal(SessionState.Discovering, Single().State);
        Feed(PppoeFrame.Discovery(PppoeCode.PADR, Client, Ac, 0, new[] { Svc(), Uniq() }, vlans));
        Assert.Equal(SessionState.Discovering, Single().State);
        Feed(PppoeFrame.Discovery(PppoeCode.PADS, Ac, Client, Sid, new[] { Svc(), Uniq() }, vlans));

        var s = Single();
        Assert.Equal(SessionState.Established, s.State);
        Assert.Equal(Sid, s.SessionId);
        Assert.Equal(RoleConfidence.Certain, s.RoleConfidence);
        Assert.Equal(Client, s.ClientMac);
        Assert.Equal(Ac, s.ServerMac);
        Assert.Equal("eth0", s.Interface);
        Assert.Equal(new[] { 100, 200 }, s.VlanIds);
        Assert.Equal("internet", s.ServiceName);
        Assert.Equal("BRAS01", s.AcName);
        Assert.Equal("deadbeef", s.HostUniq);
        Assert.Equal(T0, s.FirstSeen);   // the PADI's time: discovery started there

        Feed(PppoeFrame.Session(Ac, Client, Sid, Lcp(1, 1), vlans));
        Feed(PppoeFrame.Session(Client, Ac, Sid, Lcp(2, 1), vlans));
        Assert.Equal(SessionState.Established, Single().State);
        Feed(PppoeFrame.Discovery(PppoeCode.PADT, Client, Ac, Sid, Array.Empty<PppoeTag>(), vlans));
        s = Single();
        Assert.Equal(SessionState.Terminated, s.State);
        Assert.Equal(RoleConfidence.Certain, s.RoleConfidence);
        Assert.Equal(Client, s.ClientMac);
        Assert.Equal(T0.AddSeconds(6), s.LastSeen);
    }

    [Fact]
    public void MidSessionTrafficAloneCreatesAnEstablishedSessionWithCounters()
    {
        int a = Feed(Data(Client, Ac));
        int b = Feed(Data(Ac, Client));
        int c = Feed(PppoeFrame.Session(Client, Ac, Sid, Lcp(9, 3)));
        var s = Single();
        Assert.Equal(SessionState.Established, s.State);
        Assert.Equal(Sid, s.SessionId);
        Assert.Equal(2, s.FramesFromClient);
        Assert.Equal(1, s.FramesFromServer);
        Assert.Equal(a + c, s.BytesFromClient);
        Assert.Equal(b, s.BytesFromServer);
        Assert.Equal(3, s.Frames);
        Assert.Equal(T0, s.FirstSeen);
        Assert.Equal(T0.AddSeconds(2), s.LastSeen);
        Assert.Equal(RoleConfidence.Unknown, s.RoleConfidence);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GhostSessionMakesTheEchoSenderTheAc(bool swapMacOrder)
    {
        // MAC order changes the session key's ordering; the answer must not depend on it.
        var ac = swapMacOrder ? Client : Ac;
        var client = swapMacOrder ? Ac : Client;
        for (byte id = 1; id <= 4; id++) Feed(Echo(ac, client, id));
        var s = Single();
        Assert.Equal(ac, s.ServerMac);
        Assert.Equal(client, s.ClientMac);
        Assert.Equal(RoleConfidence.Guessed, s.RoleConfidence);
        Assert.Equal(4, s.FramesFromServer);
        Assert.Equal(0, s.FramesFromClient);
        Assert.Equal(SessionState.Established, s.State);
    }

    [Fact]
    public void AnsweredEchoesAreNoEvidence()
    {
        Feed(Echo(Ac, Client, 1));
        Feed(PppoeFrame.Session(Client, Ac, Sid, Lcp(10, 1)));
        Assert.Equal(RoleConfidence.Unknown, Single().RoleConfidence);
    }

    public static IEnumerable<object[]> AuthCases() => new[]
    {
        new object[] { "CHAP Challenge from AC", PppProtocols.Chap, (byte)1, false },
        new object[] { "CHAP Response from client", PppProtocols.Chap, (byte)2, true },
        new object[] { "PAP Authenticate-Request from client", PppProtocols.Pap, (byte)1, true },
    };

    [Theory]
    [MemberData(nameof(AuthCases))]
    public void AuthenticationGivesLikelyRolesEvenWhenTheAcSpeaksFirst(string name, ushort protocol, byte code, bool fromClient)
    {
        Feed(PppoeFrame.Session(Ac, Client, Sid, Lcp(1, 1)));   // AC first: the tracker's first guess is wrong
        Feed(PppoeFrame.Session(Client, Ac, Sid, Lcp(2, 1)));
        Feed(PppoeFrame.Session(fromClient ? Client : Ac, fromClient ? Ac : Client, Sid, Control(protocol, code, 7)));
        var s = Single();
        Assert.True(s.RoleConfidence == RoleConfidence.Likely, $"{name}: {s}");
        Assert.Equal(Client, s.ClientMac);
        Assert.Equal(Ac, s.ServerMac);
        // Counters follow the roles: two frames each way once swapped.
        Assert.Equal(fromClient ? 2 : 1, s.FramesFromClient);
        Assert.Equal(fromClient ? 1 : 2, s.FramesFromServer);
    }

    [Fact]
    public void LocalMacIsTheClientWithCertainty()
    {
        var tracker = new SessionTracker(mac => mac == Client);
        Feed(Data(Ac, Client), tracker);
        var s = Assert.Single(tracker.Snapshot());
        Assert.Equal(RoleConfidence.Certain, s.RoleConfidence);
        Assert.Equal(Client, s.ClientMac);
        Assert.Equal(Ac, s.ServerMac);
        Assert.Equal(1, s.FramesFromServer);
        // Later PPP hints cannot override it.
        Feed(PppoeFrame.Session(Client, Ac, Sid, Control(PppProtocols.Chap, 1, 1)), tracker);
        Assert.Equal(Client, Assert.Single(tracker.Snapshot()).ClientMac);
    }

    [Fact]
    public void SameSessionIdOnDifferentClientsOrVlansIsDistinct()
    {
        var other = MacAddress.Parse("02:00:00:00:00:0d");
        Feed(Data(Client, Ac));
        Feed(Data(other, Ac));
        Feed(Data(Client, Ac, vlans: VlanTag.FromIds(new[] { 10 })));
        Feed(Data(Client, Ac, vlans: VlanTag.FromIds(new[] { 11 })));
        Feed(Data(Client, Ac, vlans: VlanTag.FromIds(new[] { 11, 10 })));
        Feed(Data(Ac, Client));   // same as the first, other direction
        var sessions = _tracker.Snapshot();
        Assert.Equal(5, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(Sid, s.SessionId));
        Assert.Equal(2, sessions.Single(s => s.VlanIds.Length == 0 && (s.ClientMac == Client || s.ServerMac == Client)).Frames);
    }

    [Fact]
    public void BrokenHeadersAreIgnored()
    {
        var bytes = Data(Client, Ac).ToBytes();
        bytes[14] = 0x21;   // version 2
        _tracker.Observe(FrameView.Parse(bytes), T0, "eth0");
        Assert.Equal(0, _tracker.Count);
    }
}
