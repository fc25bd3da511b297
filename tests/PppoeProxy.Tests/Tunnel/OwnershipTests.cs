using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Wire;
using PppoeProxy.Tests.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// Issue 12, defects 5, 7 and 8: who may send from which MAC, what a refusal counts and logs, and
/// how claims a reconnecting client makes restore routing, holds and PADTs.
/// </summary>
public class OwnershipTests
{
    private static readonly MacAddress Ac = MacAddress.Parse("00:1b:21:aa:00:01");
    private static readonly MacAddress ClientA = MacAddress.Parse("02:00:00:00:0a:01");
    private static readonly MacAddress ClientB = MacAddress.Parse("02:00:00:00:0b:01");
    private static readonly MacAddress Ours = MacAddress.Parse("02:00:00:00:ee:01");
    private static readonly string CertA = new('a', 64), CertB = new('b', 64);

    private static TunnelLink Link(string name, string? fingerprint = null, bool claims = false) =>
        new(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), name, fingerprint, NullLogger.Instance)
        { ClaimsAgreed = claims };

    private static ServerRouter Router(RecordingLogger? log = null, MacMode mode = MacMode.Transparent) =>
        new(mode, Ours, "wan0", new SessionTracker(), NullLogger.Instance, limitedLog: log is null ? null : new RateLimitedLog(log));

    private static byte[] Padi(MacAddress from) => PppoeFrame.Discovery(PppoeCode.PADI, from, MacAddress.Broadcast, 0,
        new[] { new PppoeTag(PppoeTagType.ServiceName, "") }).ToBytes();

    private static byte[] Discovery(PppoeCode code, MacAddress from, MacAddress to, ushort sid) =>
        PppoeFrame.Discovery(code, from, to, sid, Array.Empty<PppoeTag>()).ToBytes();

    private static byte[] Echo(MacAddress from, MacAddress to, ushort sid) =>
        PppoeFrame.Session(from, to, sid, new byte[] { 0xc0, 0x21, 9, 1, 0, 8, 0xde, 0xad, 0xbe, 0xef }).ToBytes();

    private static int FromTunnel(ServerRouter router, TunnelLink link, byte[] frame) =>
        router.RouteFromTunnel(link, FrameView.Parse(frame), DateTimeOffset.UtcNow, new byte[2048], out _);

    private static TunnelLink? FromAc(ServerRouter router, byte[] frame) =>
        router.RouteFromAc(frame, DateTimeOffset.UtcNow, new byte[2048], out _);

    private static byte[] Claims(params SessionClaim[] claims)
    {
        var record = new byte[WireCodec.MaxRecordSize];
        int length = WireCodec.WriteClaimsRecord(record, claims);
        return record.AsSpan(WireCodec.RecordHeaderSize, length - WireCodec.RecordHeaderSize).ToArray();
    }

    public static TheoryData<string> NoClientsMacs => new()
    {
        "01:00:5e:00:00:01", // multicast
        "ff:ff:ff:ff:ff:ff", // broadcast
        "00:00:00:00:00:00",
        "02:00:00:00:ee:01", // the server's own interface
        "00:1b:21:aa:00:01", // the AC's (it sent a PADO)
    };

    [Theory]
    [MemberData(nameof(NoClientsMacs))]
    public void ATunnelCannotSendFromAMacNoClientCanHave(string mac)
    {
        var router = Router();
        var squatter = Link("S");
        var a = Link("A");
        FromTunnel(router, a, Padi(ClientA));
        FromAc(router, Discovery(PppoeCode.PADO, Ac, ClientA, 0));

        Assert.Equal(-1, FromTunnel(router, squatter, Echo(MacAddress.Parse(mac), ClientA, 7)));
        Assert.Equal(1, squatter.Counters.Drops(DropReason.ForbiddenSource));
        Assert.Null(router.Owners.LinkFor(MacAddress.Parse(mac), out _));
    }

    [Fact]
    public void AFrameAddressedToItsOwnSourceIsRefusedBeforeTheAcHasSpoken()
    {
        // Probe after issue 12: before any PADO the AC's MAC is unknown, and a tunnel sending a session
        // frame from the AC to the AC had it injected and held as a "client" MAC.
        var router = Router();
        var squatter = Link("S");

        Assert.Equal(-1, FromTunnel(router, squatter, Echo(Ac, Ac, 7)));
        Assert.Equal(1, squatter.Counters.Drops(DropReason.ForbiddenSource));
        Assert.Null(router.Owners.LinkFor(Ac, out _));
    }

    [Fact]
    public void ATunnelThatClaimedTheAcsMacBeforeTheAcSpokeLosesIt()
    {
        var router = Router();
        var squatter = Link("S");
        var a = Link("A");
        Assert.True(FromTunnel(router, squatter, Padi(Ac)) > 0);
        FromTunnel(router, a, Padi(ClientA));
        Assert.Same(a, FromAc(router, Discovery(PppoeCode.PADO, Ac, ClientA, 0)));
        Assert.Null(router.Owners.LinkFor(Ac, out _));
        Assert.Equal(-1, FromTunnel(router, squatter, Padi(Ac)));
    }

    [Fact]
    public void ASquatterThatSpokeTheVictimsMacFirstDoesNotKeepTheVictimFromDialling()
    {
        var router = Router();
        var squatter = Link("S");
        var victim = Link("V");
        Assert.True(FromTunnel(router, squatter, Echo(ClientA, Ac, 7)) > 0); // first to speak, no session

        Assert.True(FromTunnel(router, victim, Padi(ClientA)) > 0);
        Assert.Same(victim, FromAc(router, Discovery(PppoeCode.PADO, Ac, ClientA, 0)));
        Assert.True(FromTunnel(router, victim, Discovery(PppoeCode.PADR, ClientA, Ac, 0)) > 0);
        Assert.Same(victim, FromAc(router, Discovery(PppoeCode.PADS, Ac, ClientA, 9)));

        // Now the session is the victim's: the squatter's frames, even discovery, are refused and counted on it.
        Assert.Equal(-1, FromTunnel(router, squatter, Echo(ClientA, Ac, 9)));
        Assert.Equal(-1, FromTunnel(router, squatter, Padi(ClientA)));
        Assert.Equal(2, squatter.Counters.Drops(DropReason.SpoofedSource));
        Assert.Equal(0, victim.Counters.TotalDrops);
        Assert.Same(victim, FromAc(router, Echo(Ac, ClientA, 9)));
    }

    [Fact]
    public void AnOwnedMacMovesOnlyToTheSameCertificateAndARefusalIsLoggedOnceNamingBoth()
    {
        var log = new RecordingLogger();
        var router = Router(log);
        var owner = Link("owner-tunnel", CertA);
        FromTunnel(router, owner, Padi(ClientA));
        FromAc(router, Discovery(PppoeCode.PADS, Ac, ClientA, 9));

        var other = Link("other-tunnel", CertB);
        for (int i = 0; i < 50; i++) Assert.Equal(-1, FromTunnel(router, other, Padi(ClientA)));
        Assert.Equal(50, other.Counters.Drops(DropReason.SpoofedSource));
        Assert.Equal(0, owner.Counters.TotalDrops);
        var conflict = Assert.Single(log.Lines, l => l.Text.Contains("refused"));
        Assert.Contains("other-tunnel", conflict.Text);
        Assert.Contains("owner-tunnel", conflict.Text);

        // The same client reconnected before the server noticed its old tunnel died.
        var again = Link("owner-again", CertA);
        Assert.True(FromTunnel(router, again, Echo(ClientA, Ac, 9)) > 0);
        Assert.Same(again, FromAc(router, Echo(Ac, ClientA, 9)));
    }

    [Fact]
    public void FramesFromATunnelNeverSwapRolesEvenWhenTheirEchoesGoUnanswered()
    {
        // A restarted server first hears the client's echo requests; the AC's answers are not routed yet.
        var router = Router();
        var link = Link("A");
        for (int i = 0; i < 3; i++) Assert.True(FromTunnel(router, link, Echo(ClientA, Ac, 7)) > 0);

        var session = Assert.Single(router.LiveSessionsOf(ClientA));
        Assert.Equal(Ac, session.ServerMac);
        Assert.Equal(RoleConfidence.Certain, session.RoleConfidence);
        link.Close("remote site lost power");
        router.OnLinkClosed(link, TimeSpan.Zero);
        Thread.Sleep(5);
        Assert.Equal(new[] { ClientA }, router.Owners.TakeExpired());
        var padt = router.PadtTowardAc(Assert.Single(router.LiveSessionsOf(ClientA)), "grace period over");
        Assert.Equal((ClientA, Ac, (ushort)7), (padt.ClientMac, padt.ServerMac, padt.SessionId));
    }

    [Fact]
    public void ClaimsOfARestartedServersClientRouteTheAcAtOnceAndAreHeldAndPadtedWhenItVanishes()
    {
        var router = Router();
        var link = Link("A", claims: true);
        Assert.Null(FromAc(router, Echo(Ac, ClientA, 7))); // before the claim: nobody's

        var (macs, sessions, refused) = router.ApplyClaims(link, Claims(
            new SessionClaim(ClientA, Ac, 7, new[] { VlanTag.Dot1Q(10) }),
            new SessionClaim(ClientB, default, 0, Array.Empty<VlanTag>())), DateTimeOffset.UtcNow);
        Assert.Equal((2, 1, 0), (macs, sessions, refused));
        Assert.Same(link, FromAc(router, PppoeFrame.Session(Ac, ClientA, 7, new byte[] { 0xc0, 0x21, 9, 1, 0, 4 },
            new[] { VlanTag.Dot1Q(10) }).ToBytes()));

        link.Close("client vanished");
        router.OnLinkClosed(link, TimeSpan.Zero);
        Thread.Sleep(5);
        Assert.Equal(new[] { ClientA }, router.Owners.TakeExpired()); // B had no session: forgotten, not held
        var padt = router.PadtTowardAc(Assert.Single(router.LiveSessionsOf(ClientA)), "grace period over");
        Assert.Equal((ClientA, Ac, (ushort)7), (padt.ClientMac, padt.ServerMac, padt.SessionId));
        Assert.Equal(10, Assert.Single(padt.VlanTags).Id);
    }

    [Fact]
    public void ADroppedTunnelWithManyHeldMacsLogsOneLine()
    {
        // Probe after issue 12: a client claiming 64 sessions and closing logged 64 "holding" lines per drop.
        var log = new RecordingLogger();
        var router = Router(log);
        var link = Link("A", claims: true);
        var claims = Enumerable.Range(1, 20).Select(i => new SessionClaim(
            new MacAddress(0x0200_0000_0100UL + (ulong)i), Ac, (ushort)i, Array.Empty<VlanTag>())).ToArray();
        Assert.Equal((20, 20, 0), router.ApplyClaims(link, Claims(claims), DateTimeOffset.UtcNow));

        link.Close("client vanished");
        router.OnLinkClosed(link, TimeSpan.FromSeconds(30));

        var line = Assert.Single(log.Lines, l => l.Text.Contains("holding the sessions of")).Text;
        Assert.Contains("and 16 more", line);
    }

    [Fact]
    public void InRewriteModeAClaimedSessionIsRoutedBackToItsClientAndHungUpFromOurMac()
    {
        var router = Router(mode: MacMode.Rewrite);
        var link = Link("A", claims: true);
        Assert.Equal((1, 1, 0), router.ApplyClaims(link, Claims(new SessionClaim(ClientA, Ac, 7, Array.Empty<VlanTag>())), DateTimeOffset.UtcNow));
        var scratch = new byte[2048];
        Assert.Same(link, router.RouteFromAc(Echo(Ac, Ours, 7), DateTimeOffset.UtcNow, scratch, out var routed));
        Assert.Equal(ClientA, routed.Destination);

        // Another tunnel cannot claim the same AC session for its own MAC.
        var other = Link("B", claims: true);
        Assert.Equal((1, 0, 1), router.ApplyClaims(other, Claims(new SessionClaim(ClientB, Ac, 7, Array.Empty<VlanTag>())), DateTimeOffset.UtcNow));

        var padt = router.PadtTowardAc(Assert.Single(router.LiveSessionsOf(ClientA)), "grace period over");
        Assert.Equal((Ours, Ac), (padt.ClientMac, padt.ServerMac));
    }

    [Fact]
    public void AClaimForASessionThisServerAlreadyHungUpIsNotBroughtBack()
    {
        var router = Router();
        var first = Link("A", claims: true);
        FromTunnel(router, first, Padi(ClientA));
        FromAc(router, Discovery(PppoeCode.PADS, Ac, ClientA, 7));
        first.Close("test");
        router.OnLinkClosed(first, TimeSpan.Zero);
        Thread.Sleep(5);
        router.Owners.TakeExpired();
        router.Ended(Assert.Single(router.LiveSessionsOf(ClientA))); // the PADT at grace expiry

        var again = Link("A again", claims: true);
        var ended = new List<SessionClaim>();
        var result = router.ApplyClaims(again, Claims(new SessionClaim(ClientA, Ac, 7, Array.Empty<VlanTag>())), DateTimeOffset.UtcNow, ended.Add);
        Assert.Equal((1, 0, 1), result);
        Assert.Equal((ushort)7, Assert.Single(ended).SessionId);
        Assert.Empty(router.LiveSessionsOf(ClientA));
    }

    [Fact]
    public void ClaimsGoThroughTheOwnershipRules()
    {
        var router = Router();
        var owner = Link("owner", CertA, claims: true);
        FromTunnel(router, owner, Padi(ClientA));
        FromAc(router, Discovery(PppoeCode.PADS, Ac, ClientA, 9));

        var hostile = Link("hostile", CertB, claims: true);
        var (macs, sessions, refused) = router.ApplyClaims(hostile, Claims(
            new SessionClaim(ClientA, Ac, 9, Array.Empty<VlanTag>()),                           // someone else's session
            new SessionClaim(Ac, ClientB, 5, Array.Empty<VlanTag>()),                           // the AC's MAC as a client
            new SessionClaim(MacAddress.Parse("01:00:5e:00:00:01"), default, 0, Array.Empty<VlanTag>()),
            new SessionClaim(ClientB, ClientA, 5, Array.Empty<VlanTag>())),                     // a client's MAC as the AC
            DateTimeOffset.UtcNow);
        Assert.Equal((0, 0, 4), (macs, sessions, refused));
        Assert.Equal(1, hostile.Counters.Drops(DropReason.SpoofedSource));
        Assert.Equal(3, hostile.Counters.Drops(DropReason.ForbiddenSource));
        Assert.Equal(0, owner.Counters.TotalDrops);
        Assert.Same(owner, FromAc(router, Echo(Ac, ClientA, 9)));
    }

    [Fact]
    public void APadtIsNeverForgedForASessionWithoutSaneMacs()
    {
        var sane = new PppoeSession { ClientMac = ClientA, ServerMac = Ac, SessionId = 7 };
        Assert.True(ServerRouter.CanForgePadt(sane));
        Assert.False(ServerRouter.CanForgePadt(new PppoeSession { ClientMac = ClientA, ServerMac = MacAddress.Parse("01:00:5e:00:00:01"), SessionId = 7 }));
        Assert.False(ServerRouter.CanForgePadt(new PppoeSession { ClientMac = ClientA, ServerMac = default, SessionId = 7 }));
        Assert.False(ServerRouter.CanForgePadt(new PppoeSession { ClientMac = Ac, ServerMac = Ac, SessionId = 7 }));
    }

    [Fact]
    public void AClaimedSessionIsPadtWorthyOnlyOnceTheAcWasHeardOnIt()
    {
        // Probe after issue 12: a client claimed a MAC and a guessed session id of another host, vanished,
        // and the server PADTed that host's session at the AC when the grace period ended.
        var router = Router();
        var link = Link("claimer", claims: true);
        router.ApplyClaims(link, Claims(new SessionClaim(ClientA, Ac, 0x1234, Array.Empty<VlanTag>())), DateTimeOffset.UtcNow);
        var claimed = Assert.Single(router.LiveSessionsOf(ClientA));
        Assert.False(ServerRouter.AcHeardOn(claimed));

        Assert.Same(link, FromAc(router, Echo(Ac, ClientA, 0x1234)));
        Assert.True(ServerRouter.AcHeardOn(Assert.Single(router.LiveSessionsOf(ClientA))));
    }

    [Fact]
    public void APppoeClientHeardOnTheAcSideIsNoTunnelsToClaim()
    {
        var log = new RecordingLogger();
        var router = Router(log);
        var squatter = Link("squatter");
        Assert.True(FromTunnel(router, squatter, Padi(ClientA)) >= 0); // nothing known against it yet

        // The home router's own PPPoE client (ClientA) dials the AC on the AC side.
        Assert.Null(FromAc(router, Padi(ClientA)));
        Assert.Contains(log.Lines, l => l.Text.Contains("a PPPoE client on the AC side: revoked"));
        Assert.Equal(-1, FromTunnel(router, squatter, Padi(ClientA)));
        var other = Link("other");
        Assert.Equal(-1, FromTunnel(router, other, Echo(ClientA, Ac, 7)));
        Assert.Equal(1, squatter.Counters.Snapshot().Drops.GetValueOrDefault(nameof(DropReason.ForbiddenSource)));
        Assert.Equal(1, other.Counters.Snapshot().Drops.GetValueOrDefault(nameof(DropReason.ForbiddenSource)));
    }

    [Fact]
    public void AFloodOfPadtsFromATunnelWritesAFewLinesNotOneEach()
    {
        // Found reviewing issue 12: every PADT a tunnel sent was a "session down" line of its own.
        var log = new RecordingLogger();
        var router = Router(log);
        var link = Link("flooder");
        // Sessions of its own (seen set up), so every PADT is one that ends a session and is forwarded.
        for (int i = 1; i <= 5000; i++) Assert.True(FromTunnel(router, link, Echo(ClientA, Ac, (ushort)i)) > 0);
        for (int i = 1; i <= 5000; i++) Assert.True(FromTunnel(router, link, Discovery(PppoeCode.PADT, ClientA, Ac, (ushort)i)) > 0);
        int lines = log.Lines.Count(l => l.Text.StartsWith("session down", StringComparison.Ordinal));
        Assert.InRange(lines, 1, 3);
    }
}
