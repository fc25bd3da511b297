using System.Diagnostics;
using System.Runtime.InteropServices;
using PppoeProxy.Engine.Capture;
using Xunit;

namespace PppoeProxy.Tests.Capture;

/// <summary>Live libpcap tests on a throwaway veth pair; each test gets its own pair and namespace.</summary>
public sealed class LiveCaptureTests : IDisposable
{
    private readonly TestFrames _frames = new();
    private VethPair? _veth;

    private VethPair Veth => _veth ??= new VethPair();

    public void Dispose() => _veth?.Dispose();

    /// <summary>Collects frames from our own source MAC until <paramref name="expected"/> arrived, then a little longer to catch extras.</summary>
    private List<byte[]> Collect(LiveCapture capture, int expected, TimeSpan limit)
    {
        var received = new List<byte[]>();
        var clock = Stopwatch.StartNew();
        TimeSpan? settleUntil = null;
        while (clock.Elapsed < (settleUntil ?? limit))
        {
            if (capture.TryRead(out var frame) && frame.Data.Length >= 12 && frame.Data.Slice(6, 6).SequenceEqual(_frames.SourceMac))
                received.Add(frame.Data.ToArray());
            if (settleUntil is null && received.Count >= expected) settleUntil = clock.Elapsed + TimeSpan.FromMilliseconds(300);
        }
        return received;
    }

    [RootFact]
    public void PppoeFramesFromThePeerArriveExactlyAndOtherFramesAreFilteredOut()
    {
        using var capture = LiveCapture.Open(Veth.Local, CaptureOptions.ForProxy);

        // Interleaved so a filter that stops after the first non-PPPoE frame would show.
        Veth.SendFromPeer(new[] { _frames.Ipv4, _frames.Discovery, _frames.Arp, _frames.Session,
            _frames.Ipv4OneTag, _frames.SessionOneTag, _frames.DiscoveryTwoTags, _frames.SessionTwoTags, _frames.SessionTwo8021QTags,
            _frames.Session9100Outer });
        var received = Collect(capture, 7, TimeSpan.FromSeconds(5));

        // The kernel strips the outer VLAN tag on receive; exact bytes prove libpcap put it back.
        Assert.Equal(new[] { _frames.Discovery, _frames.Session, _frames.SessionOneTag, _frames.DiscoveryTwoTags, _frames.SessionTwoTags,
            _frames.SessionTwo8021QTags, _frames.Session9100Outer }, received);
        Assert.True(capture.GetStatistics().Received >= 7);
    }

    [RootFact]
    public void InboundOnlyDoesNotSeeInjectedFramesWhileBothDoesAndTheyReachThePeer()
    {
        using var both = LiveCapture.Open(Veth.Local, CaptureOptions.ForSniffing);
        using var inboundOnly = LiveCapture.Open(Veth.Local, CaptureOptions.ForProxy);
        using var injector = LiveCapture.OpenForInjection(Veth.Local);
        long peerBefore = Veth.PeerReceivedPackets();

        var pppoe = _frames.Pppoe4.Append(_frames.SessionTwoTags).Append(_frames.SessionTwo8021QTags).ToArray();
        var all = _frames.NonPppoe.Concat(pppoe).ToArray();
        foreach (var frame in all) injector.Inject(frame);

        // Outgoing frames keep their VLAN tags in the data, so this also checks the filter on in-packet tags.
        Assert.Equal(pppoe, Collect(both, pppoe.Length, TimeSpan.FromSeconds(5)));
        Assert.Empty(Collect(inboundOnly, 1, TimeSpan.FromMilliseconds(500)));
        Assert.True(Veth.PeerReceivedPackets() - peerBefore >= all.Length, "injected frames did not reach the peer");
        Assert.Empty(Collect(injector, 1, TimeSpan.FromMilliseconds(200))); // send-only handle queues nothing
    }

    [RootFact]
    public void InjectFailureIsACaptureExceptionWithTheKernelReason()
    {
        using var injector = LiveCapture.OpenForInjection(Veth.Local);

        var error = Assert.Throws<CaptureException>(() => injector.Inject(new byte[9000])); // above the 1500 MTU

        Assert.Equal(CaptureErrorKind.Other, error.Kind);
        Assert.Contains(Veth.Local, error.Message);
        Assert.Contains("too long", error.Message);
    }

    [Fact]
    public void MissingInterfaceIsReportedByName()
    {
        var error = Assert.Throws<CaptureException>(() => LiveCapture.Open("ppxnosuch0", new CaptureOptions()));

        Assert.Equal(CaptureErrorKind.InterfaceNotFound, error.Kind);
        Assert.Equal("interface 'ppxnosuch0' does not exist", error.Message);
        Assert.Equal(CaptureErrorKind.InterfaceNotFound,
            Assert.Throws<CaptureException>(() => LiveCapture.OpenForInjection("../../etc")).Kind);
    }

    [RootFact]
    public void DownInterfaceIsReportedWithTheFix()
    {
        using var down = new VethPair(up: false);

        var error = Assert.Throws<CaptureException>(() => LiveCapture.Open(down.Local, new CaptureOptions()));

        Assert.Equal(CaptureErrorKind.InterfaceDown, error.Kind);
        Assert.Equal($"interface '{down.Local}' is down: ip link set {down.Local} up", error.Message);
    }

    [RootFact]
    public void ReadingAfterTheInterfaceIsDeletedReportsItGone()
    {
        var veth = new VethPair();
        using var capture = LiveCapture.Open(veth.Local, CaptureOptions.ForProxy);
        veth.Dispose();

        var error = Assert.Throws<CaptureException>(() => { for (int i = 0; i < 50; i++) capture.TryRead(out _); });

        Assert.Equal(CaptureErrorKind.InterfaceNotFound, error.Kind);
    }

    [RootFact]
    public void DisposeFromAnotherThreadReleasesABlockedReaderPromptlyAndIsIdempotent()
    {
        var capture = LiveCapture.Open(Veth.Local, new CaptureOptions { ReadTimeoutMs = 10_000 });
        Exception? readerEnd = null;
        var reader = new Thread(() =>
        {
            try { while (true) capture.TryRead(out _); }
            catch (Exception e) { readerEnd = e; }
        });
        reader.Start();
        Thread.Sleep(200); // let the reader block inside pcap_next_ex

        var clock = Stopwatch.StartNew();
        capture.Dispose();
        capture.Dispose();

        Assert.True(reader.Join(TimeSpan.FromSeconds(3)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"Dispose took {clock.Elapsed}");
        Assert.IsType<ObjectDisposedException>(readerEnd);
        Assert.Throws<ObjectDisposedException>(() => capture.Inject(_frames.Session));
    }

    [RootFact]
    public void WithoutCAPNETRAWOpenFailsWithPermissionDenied()
    {
        Exception? error = null;
        // Capabilities are per thread on Linux: drop CAP_NET_RAW from this thread's effective set only.
        var thread = new Thread(() =>
        {
            Capabilities.DropEffective(Capabilities.NetRaw);
            error = Record.Exception(() => LiveCapture.Open(Veth.Local, new CaptureOptions()).Dispose());
        });
        thread.Start();
        thread.Join();

        var capture = Assert.IsType<CaptureException>(error);
        Assert.Equal(CaptureErrorKind.PermissionDenied, capture.Kind);
        Assert.Equal($"permission denied opening {Veth.Local}: run as root or grant CAP_NET_RAW", capture.Message);
    }

    [RootFact]
    public void NetworkInterfacesAgreeWithIpLink()
    {
        var ipLink = ExternalTool.Run("ip", "-o", "link", "show", Veth.Local);
        var mac = NetworkInterfaces.GetMacBytes(Veth.Local);

        Assert.NotNull(mac);
        Assert.Contains("link/ether " + PppoeProxy.Engine.Protocol.MacAddress.Read(mac), ipLink);
        Assert.Contains(PppoeProxy.Engine.Protocol.MacAddress.Read(mac), NetworkInterfaces.LocalMacs());
        Assert.Contains(Veth.Local, NetworkInterfaces.List());
        Assert.True(NetworkInterfaces.IsUp(Veth.Local));
        ExternalTool.Run("ip", "link", "set", Veth.Local, "down");
        Assert.False(NetworkInterfaces.IsUp(Veth.Local));
        Assert.DoesNotContain(Veth.Peer, NetworkInterfaces.List()); // the peer lives in the other namespace
    }

    private static unsafe class Capabilities
    {
        public const int NetRaw = 13;
        private const uint Version3 = 0x20080522;

        [DllImport("libc.so.6", SetLastError = true)]
        private static extern int capget(uint* header, uint* data);

        [DllImport("libc.so.6", SetLastError = true)]
        private static extern int capset(uint* header, uint* data);

        public static void DropEffective(int capability)
        {
            uint* header = stackalloc uint[2] { Version3, 0 }; // pid 0: the calling thread
            uint* data = stackalloc uint[6]; // two {effective, permitted, inheritable} sets
            if (capget(header, data) != 0) throw new InvalidOperationException($"capget failed: {Marshal.GetLastPInvokeError()}");
            data[0] &= ~(1u << capability);
            if (capset(header, data) != 0) throw new InvalidOperationException($"capset failed: {Marshal.GetLastPInvokeError()}");
        }
    }
}
