using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>The server's routing rules, without sockets: who gets which frame, and what is refused.</summary>
public class RouterTests
{
    private static readonly MacAddress Ac = MacAddress.Parse("00:1b:21:aa:00:01");
    private static readonly MacAddress ClientA = MacAddress.Parse("02:00:00:00:0a:01");
    private static readonly MacAddress ClientB = MacAddress.Parse("02:00:00:00:0b:01");
    private static readonly MacAddress Ours = MacAddress.Parse("02:00:00:00:ee:01");

    private static TunnelLink Link(string name, string? fingerprint = null) =>
        new(new StreamTunnelTransport(new MemoryStream(), null, TunnelCodec.For(TunnelMode.V1)), name, fingerprint, NullLogger.Instance);

    private static ServerRouter Router(MacMode mode = MacMode.Transparent) =>
        new(mode, Ours, "wan0", new SessionTracker(), NullLogger.Instance);

    private static byte[] Padi(MacAddress from) => PppoeFrame.Discovery(PppoeCode.PADI, from, MacAddress.Broadcast, 0,
        new[] { new PppoeTag(PppoeTagType.ServiceName, "") }).ToBytes();

    private static byte[] Discovery(PppoeCode code, MacAddress from, MacAddress to, ushort sid, params PppoeTag[] tags) =>
        PppoeFrame.Discovery(code, from, to, sid, tags).ToBytes();

    private static byte[] Echo(MacAddress from, MacAddress to, ushort sid) =>
        PppoeFrame.Session(from, to, sid, new byte[] { 0xc0, 0x21, 9, 1, 0, 8, 0xde, 0xad, 0xbe, 0xef }).ToBytes();

    private static int FromTunnel(ServerRouter router, TunnelLink link, byte[] frame, byte[] scratch, out bool inScratch) =>
        router.RouteFromTunnel(link, FrameView.Parse(frame), DateTimeOffset.UtcNow, scratch, out inScratch);

    private static TunnelLink? FromAc(ServerRouter router, byte[] frame, byte[] scratch, out byte[] sent)
    {
        var link = router.RouteFromAc(frame, DateTimeOffset.UtcNow, scratch, out var routed);
        sent = routed.Bytes.ToArray();
        return link;
    }

    [Fact]
    public void AcFramesGoOnlyToTheTunnelOwningTheClientMac()
    {
        var router = Router();
        var a = Link("A");
        var b = Link("B");
        var scratch = new byte[2048];
        Assert.Equal(Padi(ClientA).Length, FromTunnel(router, a, Padi(ClientA), scratch, out _));
        Assert.True(FromTunnel(router, b, Padi(ClientB), scratch, out _) > 0);

        Assert.Same(a, FromAc(router, Discovery(PppoeCode.PADO, Ac, ClientA, 0), scratch, out _));
        Assert.Same(b, FromAc(router, Discovery(PppoeCode.PADO, Ac, ClientB, 0), scratch, out _));
        Assert.Same(a, FromAc(router, Echo(Ac, ClientA, 7), scratch, out var sent));
        Assert.Equal(Echo(Ac, ClientA, 7), sent);
        Assert.Null(FromAc(router, Echo(Ac, MacAddress.Parse("02:00:00:00:0c:01"), 7), scratch, out _));
        Assert.Equal(1, router.Counters.Drops(DropReason.UnknownDestination));
    }

    [Fact]
    public void ATunnelCannotSendFromAMacAnotherLiveTunnelOwns()
    {
        var router = Router();
        var a = Link("A");
        var b = Link("B");
        var scratch = new byte[2048];
        FromTunnel(router, a, Padi(ClientA), scratch, out _);
        Assert.Equal(-1, FromTunnel(router, b, Echo(ClientA, Ac, 7), scratch, out _));
        Assert.Equal(1, b.Counters.Drops(DropReason.SpoofedSource));
        Assert.Equal(0, a.Counters.TotalDrops);
    }

    [Fact]
    public void ADroppedTunnelsSessionsAreHeldAndOnlyTheSameCertificateResumesThem()
    {
        var router = Router();
        var a = Link("A", fingerprint: new string('a', 64));
        var scratch = new byte[2048];
        FromTunnel(router, a, Padi(ClientA), scratch, out _);
        FromAc(router, Discovery(PppoeCode.PADS, Ac, ClientA, 7), scratch, out _);
        a.Close("test");
        router.OnLinkClosed(a, TimeSpan.FromSeconds(30));

        Assert.Null(FromAc(router, Echo(Ac, ClientA, 7), scratch, out _));
        Assert.Equal(1, router.Counters.Drops(DropReason.HeldSession));

        var stranger = Link("X", fingerprint: new string('b', 64));
        Assert.Equal(-1, FromTunnel(router, stranger, Echo(ClientA, Ac, 7), scratch, out _));
        Assert.Equal(1, stranger.Counters.Drops(DropReason.HeldForOtherPeer));

        var again = Link("A2", fingerprint: new string('a', 64));
        Assert.Equal(new[] { ClientA }, router.Owners.AdoptByIdentity(again));
        Assert.Same(again, FromAc(router, Echo(Ac, ClientA, 7), scratch, out _));
    }

    [Fact]
    public void HeldMacsExpireAfterTheGracePeriodAndTheirSessionsNeedAPadt()
    {
        var router = Router();
        var a = Link("A");
        var scratch = new byte[2048];
        FromTunnel(router, a, Padi(ClientA), scratch, out _);
        FromAc(router, Discovery(PppoeCode.PADS, Ac, ClientA, 7), scratch, out _);
        a.Close("test");
        router.OnLinkClosed(a, TimeSpan.Zero);
        Thread.Sleep(5);
        Assert.Equal(new[] { ClientA }, router.Owners.TakeExpired());
        var session = Assert.Single(router.LiveSessionsOf(ClientA));
        var padt = router.PadtTowardAc(session, "grace period over");
        Assert.Equal(ClientA, padt.ClientMac);
        Assert.Equal(Ac, padt.ServerMac);
        Assert.Equal(7, padt.SessionId);
        router.Ended(session);
        Assert.Empty(router.LiveSessionsOf(ClientA));
    }

    [Fact]
    public void AMacWithoutSessionsIsForgottenNotHeld()
    {
        var router = Router();
        var a = Link("A");
        FromTunnel(router, a, Padi(ClientA), new byte[2048], out _);
        a.Close("test");
        router.OnLinkClosed(a, TimeSpan.FromSeconds(30));
        Assert.Equal(0, router.Owners.Count);
    }

    [Fact]
    public void RewriteModeHidesTheClientMacAndRoutesBackByRelayTagThenBySessionId()
    {
        var router = Router(MacMode.Rewrite);
        var a = Link("A");
        var b = Link("B");
        var scratch = new byte[2048];

        int length = FromTunnel(router, a, Padi(ClientA), scratch, out bool inScratch);
        Assert.True(inScratch);
        var padi = FrameView.Parse(scratch.AsSpan(0, length));
        Assert.Equal(Ours, padi.Source);
        Assert.True(TagEnumerator.TryFind(padi.Payload, (ushort)PppoeTagType.RelaySessionId, out var relay));
        Assert.True(padi.IsValid);

        // The AC echoes the relay tag; we strip it and put the client's MAC back.
        var pado = Discovery(PppoeCode.PADO, Ac, Ours, 0, new PppoeTag(PppoeTagType.AcName, "BRAS"),
            new PppoeTag((ushort)PppoeTagType.RelaySessionId, relay.ToArray()));
        Assert.Same(a, FromAc(router, pado, scratch, out var restored));
        var restoredView = FrameView.Parse(restored);
        Assert.Equal(ClientA, restoredView.Destination);
        Assert.True(restoredView.IsValid);
        Assert.False(TagEnumerator.TryFind(restoredView.Payload, (ushort)PppoeTagType.RelaySessionId, out _));

        var pads = Discovery(PppoeCode.PADS, Ac, Ours, 9, new PppoeTag((ushort)PppoeTagType.RelaySessionId, relay.ToArray()));
        Assert.Same(a, FromAc(router, pads, scratch, out _));
        Assert.Same(a, FromAc(router, Echo(Ac, Ours, 9), scratch, out var echo));
        Assert.Equal(ClientA, FrameView.Parse(echo).Destination);

        // Another tunnel cannot speak in that session, even with its own MAC.
        FromTunnel(router, b, Padi(ClientB), scratch, out _);
        Assert.Equal(-1, FromTunnel(router, b, Echo(ClientB, Ac, 9), scratch, out _));
        Assert.True(FromTunnel(router, a, Echo(ClientA, Ac, 9), scratch, out _) > 0);
        Assert.Equal(Ours, FrameView.Parse(scratch).Source);
    }

    [Fact]
    public void RewriteModeDropsAnswersWithoutOurRelayTag()
    {
        var router = Router(MacMode.Rewrite);
        var scratch = new byte[2048];
        FromTunnel(router, Link("A"), Padi(ClientA), scratch, out _);
        Assert.Null(FromAc(router, Discovery(PppoeCode.PADO, Ac, Ours, 0), scratch, out _));
        Assert.Equal(1, router.Counters.Drops(DropReason.NotRelayed));
    }

    [Theory]
    [InlineData(MacMode.Transparent)]
    [InlineData(MacMode.Rewrite)]
    public void AnAcFrameIsParsedOnceAndTheRoutedViewMatchesItsBytes(MacMode mode)
    {
        var router = Router(mode);
        var a = Link("A");
        var scratch = new byte[2048];
        int length = FromTunnel(router, a, Padi(ClientA), scratch, out bool inScratch);
        var relayTags = new List<PppoeTag>();
        if (mode == MacMode.Rewrite)
        {
            Assert.True(TagEnumerator.TryFind(FrameView.Parse(scratch.AsSpan(0, length)).Payload, (ushort)PppoeTagType.RelaySessionId, out var relay));
            relayTags.Add(new PppoeTag((ushort)PppoeTagType.RelaySessionId, relay.ToArray()));
        }
        var to = mode == MacMode.Rewrite ? Ours : ClientA;
        var pado = PppoeFrame.Discovery(PppoeCode.PADO, Ac, to, 0,
            relayTags.Prepend(new PppoeTag(PppoeTagType.AcName, "BRAS")).ToArray()).ToBytes();
        // Ethernet padding after the payload, as a real NIC delivers short frames.
        var padded = pado.Concat(new byte[Math.Max(0, 60 - pado.Length)]).ToArray();

        long before = FrameView.ParsesOnThisThread;
        var link = router.RouteFromAc(padded, DateTimeOffset.UtcNow, scratch, out var routed);
        long parses = FrameView.ParsesOnThisThread - before;
        Assert.Same(a, link);
        Assert.Equal(1, parses); // the tracker, the log and the tap all use the routed view

        var fresh = FrameView.Parse(routed.Bytes);
        Assert.Equal(ClientA, routed.Destination);
        Assert.Equal(fresh.Destination, routed.Destination);
        Assert.Equal(fresh.LengthField, routed.LengthField);
        Assert.Equal(fresh.PayloadAvailable, routed.PayloadAvailable);
        Assert.Equal(fresh.Error, routed.Error);
        Assert.True(routed.Payload.SequenceEqual(fresh.Payload));
        Assert.False(TagEnumerator.TryFind(routed.Payload, (ushort)PppoeTagType.RelaySessionId, out _));
    }

    [Fact]
    public void RewriteModeDropsAPadiThatAlreadyCarriesARelaySessionId()
    {
        var router = Router(MacMode.Rewrite);
        var a = Link("A");
        var padi = PppoeFrame.Discovery(PppoeCode.PADI, ClientA, MacAddress.Broadcast, 0, new[]
        {
            new PppoeTag(PppoeTagType.ServiceName, ""),
            new PppoeTag((ushort)PppoeTagType.RelaySessionId, new byte[] { 1, 2, 3, 4 }),
        }).ToBytes();
        Assert.Equal(-1, FromTunnel(router, a, padi, new byte[2048], out _));
        Assert.Equal(1, a.Counters.Drops(DropReason.AlreadyRelayed));
    }

    [Fact]
    public void RewriteModeCountsAnAnswerItCannotEditAndStoresNoMappingForIt()
    {
        var router = Router(MacMode.Rewrite);
        var a = Link("A");
        var scratch = new byte[2048];
        int length = FromTunnel(router, a, Padi(ClientA), scratch, out _);
        Assert.True(TagEnumerator.TryFind(FrameView.Parse(scratch.AsSpan(0, length)).Payload, (ushort)PppoeTagType.RelaySessionId, out var relay));
        var pads = Discovery(PppoeCode.PADS, Ac, Ours, 9, new PppoeTag((ushort)PppoeTagType.RelaySessionId, relay.ToArray()));
        // Two stray bytes inside the PPPoE length after the tags: the tag is found, but the frame is not valid.
        var broken = pads.Concat(new byte[] { 0x01, 0x01 }).ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(broken.AsSpan(18), (ushort)(FrameView.Parse(pads).LengthField + 2));

        Assert.Null(FromAc(router, broken, scratch, out _));
        Assert.Equal(1, router.Counters.Drops(DropReason.Malformed));
        Assert.Null(FromAc(router, Echo(Ac, Ours, 9), scratch, out _)); // no session mapping was stored
        Assert.Equal(1, router.Counters.Drops(DropReason.NotRelayed));
    }
}
