using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Datagram;
using PppoeProxy.Engine.Tunnel.Limits;
using PppoeProxy.Engine.Tunnel.Security;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Datagram;

/// <summary>
/// An authenticated association reads its own connected socket on the listener's port (SO_REUSEPORT),
/// so its datagrams skip the dispatcher; sharing the port must not let a second server bind it.
/// </summary>
public class UdpOwnSocketTests(TunnelIdentities ids) : IClassFixture<TunnelIdentities>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private UdpTunnelListener Listener(IPEndPoint at, List<TunnelLink> links, Action<TunnelLink>? started = null) =>
        new(at, new TunnelSecurity(ids.Server.Cert, new HashSet<string> { ids.Client.Fingerprint }), CidrAllowList.LoopbackOnly,
            new ConnectionLimiter(HandshakeLimit.Default, 4, 32, 4), TimeSpan.FromSeconds(5), NullLogger.Instance,
            new RateLimitedLog(NullLogger.Instance), new RefusalCounters(),
            (link, _) => { lock (links) links.Add(link); started?.Invoke(link); });

    // A started client link, once the server has registered it in links.
    private TunnelLink Connect(UdpTunnelListener listener, List<TunnelLink> links, string name)
    {
        var client = UdpHandshake.ConnectAsync("127.0.0.1", listener.LocalEndpoint.Port,
                new TunnelSecurity(ids.Client.Cert, new HashSet<string> { ids.Server.Fingerprint }), name, NullLogger.Instance, Timeout, CancellationToken.None)
            .WaitAsync(Timeout).GetAwaiter().GetResult();
        client.Start((_, _) => { });
        WaitFor(() => { lock (links) return links.Count == 1; }, "the server never registered the client");
        return client;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var until = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > until) throw new TimeoutException(what);
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void APortAlreadyHeldStillFailsToBindEvenByAnotherServer()
    {
        var links = new List<TunnelLink>();
        using var first = Listener(new IPEndPoint(IPAddress.Loopback, 0), links);
        var error = Assert.Throws<SocketException>(() => Listener(first.LocalEndpoint, links));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);

        using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        plain.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        error = Assert.Throws<SocketException>(() => Listener((IPEndPoint)plain.LocalEndPoint!, links));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    [Fact]
    public void AnAuthenticatedClientsFramesBypassTheDispatcher()
    {
        if (!OperatingSystem.IsLinux()) return; // SO_REUSEPORT with connected sockets: the queue serves elsewhere
        var links = new List<TunnelLink>();
        int frames = 0;
        using var listener = Listener(new IPEndPoint(IPAddress.Loopback, 0), links, link => link.Start((_, _) => Interlocked.Increment(ref frames)));
        listener.Start();
        using var client = Connect(listener, links, "own");
        long queuedAfterHandshake = listener.Queued;

        var frame = new byte[1500];
        for (int i = 0; i < 200; i++)
        {
            while (!client.TrySendFrame(frame, 0x8864)) Thread.Sleep(1);
            if (i % 20 == 19) Thread.Sleep(5); // within the socket buffers: none lost on loopback
        }
        WaitFor(() => Volatile.Read(ref frames) == 200, $"the server got {Volatile.Read(ref frames)} of 200 frames");
        Assert.Equal(queuedAfterHandshake, listener.Queued);
        lock (links) links.ForEach(l => l.Dispose());
    }

    [Fact]
    public void AnIdleAssociationsReaderSleepsUntilADatagramComes()
    {
        if (!OperatingSystem.IsLinux()) return;
        var links = new List<TunnelLink>();
        int frames = 0, readerId = 0;
        using var listener = Listener(new IPEndPoint(IPAddress.Loopback, 0), links, link => link.Start((_, _) =>
        {
            Volatile.Write(ref readerId, PppoeProxy.Tests.Diagnostics.ThreadSwitches.CurrentThreadId());
            Interlocked.Increment(ref frames);
        }));
        listener.Start();
        using var client = Connect(listener, links, "idle");
        Assert.True(links[0].Transport is DatagramTunnelTransport { Session.Channel: ServerUdpChannel { HasOwnSocket: true } });
        Assert.True(client.TrySendFrame(new byte[60], 0x8864));
        WaitFor(() => Volatile.Read(ref frames) == 1, "the first frame never reached the server");
        Thread.Sleep(200);

        // Idle: no frames, and keepalives are 25 s apart. Looking at the dispatcher's queue every 50 ms was ~40 here.
        long wakeups = PppoeProxy.Tests.Diagnostics.ThreadSwitches.During(Volatile.Read(ref readerId), TimeSpan.FromSeconds(2));
        Assert.True(wakeups <= 4, $"the idle association's reader woke {wakeups} times in 2 s");

        // Still awake to what comes: a frame, and a close.
        Assert.True(client.TrySendFrame(new byte[60], 0x8864));
        WaitFor(() => Volatile.Read(ref frames) == 2, "the second frame never reached the server");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        lock (links) links.ForEach(l => l.Dispose());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"closing the link took {clock.Elapsed}");
    }
}
