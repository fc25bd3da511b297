using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Datagram;
using PppoeProxy.Engine.Tunnel.Limits;
using PppoeProxy.Engine.Tunnel.Security;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Datagram;

/// <summary>
/// The UDP server's socket under hostile datagrams: garbage, oversized ones and a flood of
/// ClientHellos without a cookie get counted and cost no state per source, and a real client
/// still gets in afterwards.
/// </summary>
public class UdpListenerHostileTests(TunnelIdentities ids) : IClassFixture<TunnelIdentities>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private sealed class Server : IDisposable
    {
        public readonly ConnectionLimiter Limits;
        public readonly RefusalCounters Refusals = new();
        public readonly List<TunnelLink> Links = new();
        public readonly UdpTunnelListener Listener;

        public Server(TunnelSecurity security, int tunnelsPerSource = 4)
        {
            Limits = new(HandshakeLimit.Default, 4, 32, tunnelsPerSource);
            Listener = new UdpTunnelListener(new IPEndPoint(IPAddress.Loopback, 0), security, CidrAllowList.LoopbackOnly, Limits,
                TimeSpan.FromSeconds(5), NullLogger.Instance, new RateLimitedLog(NullLogger.Instance), Refusals,
                (link, _) => { lock (Links) Links.Add(link); });
            Listener.Start();
        }

        public IPEndPoint EndPoint => Listener.LocalEndpoint;
        public long Refused(string cause) => Refusals.Snapshot().GetValueOrDefault(cause);

        public void Dispose()
        {
            lock (Links) Links.ForEach(l => l.Dispose());
            Listener.Dispose();
        }
    }

    private TunnelSecurity ServerSecurity => new(ids.Server.Cert, new HashSet<string> { ids.Client.Fingerprint });
    private TunnelSecurity ClientSecurity => new(ids.Client.Cert, new HashSet<string> { ids.Server.Fingerprint });

    /// <summary>The first datagram BouncyCastle's client sends: a real DTLS ClientHello with an empty cookie.</summary>
    private static byte[] CookielessClientHello()
    {
        var capture = new FirstDatagram();
        var client = new DefaultClientForCapture(new BcTlsCrypto(new SecureRandom()));
        Assert.ThrowsAny<Exception>(() => new DtlsClientProtocol().Connect(client, capture));
        return capture.Sent ?? throw new InvalidOperationException("no ClientHello was sent");
    }

    private sealed class DefaultClientForCapture(BcTlsCrypto crypto) : DefaultTlsClient(crypto)
    {
        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();
        public override TlsAuthentication GetAuthentication() => throw new TlsFatalAlert(AlertDescription.internal_error);
    }

    private sealed class FirstDatagram : DatagramTransport
    {
        public byte[]? Sent;
        public int GetReceiveLimit() => 1500;
        public int GetSendLimit() => 1400;
        public int Receive(byte[] buf, int off, int len, int waitMillis) => throw new IOException("capture only");
        public int Receive(Span<byte> buffer, int waitMillis) => throw new IOException("capture only");
        public void Send(byte[] buf, int off, int len) => Sent ??= buf.AsSpan(off, len).ToArray();
        public void Send(ReadOnlySpan<byte> buffer) => Sent ??= buffer.ToArray();
        public void Close() { }
    }

    private static byte[] WithHeader(byte marker, ulong id, ReadOnlySpan<byte> content)
    {
        var datagram = new byte[DatagramFormat.OuterHeaderSize + content.Length];
        DatagramFormat.WriteOuter(datagram, marker, id);
        content.CopyTo(datagram.AsSpan(DatagramFormat.OuterHeaderSize));
        return datagram;
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
    public void ACookielessClientHelloFloodKeepsNoStateAndBoundedMemoryAndARealClientStillGetsIn()
    {
        using var server = new Server(ServerSecurity);
        var hello = CookielessClientHello();
        const int Flood = 5_000;
        var sockets = Enumerable.Range(0, 50).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)).ToList();
        try
        {
            foreach (var s in sockets) s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            GC.Collect();
            long before = GC.GetTotalMemory(forceFullCollection: true);
            for (int i = 0; i < Flood; i++)
            {
                sockets[i % sockets.Count].SendTo(WithHeader(DatagramFormat.MarkerDtls, (ulong)i + 1, hello), server.EndPoint);
                if (i % 500 == 499) Thread.Sleep(5); // let the dispatcher keep up: we measure state, not socket drops
            }
            // Until the dispatcher is done (the socket may drop some of a flood: that is its job, not a leak).
            long seen = -1;
            while (server.Listener.CookiesSent != seen)
            {
                seen = server.Listener.CookiesSent;
                Thread.Sleep(1000);
            }
            Assert.True(seen >= Flood / 2, $"only {seen} of {Flood} cookie-less hellos were answered");
            long after = GC.GetTotalMemory(forceFullCollection: true);
            Assert.Equal(0, server.Listener.Associations);
            Assert.Equal(0, server.Limits.TrackedSources);
            Assert.Equal(0, server.Limits.PendingHandshakes);
            Assert.True(after - before < 8 * 1024 * 1024, $"memory grew by {(after - before) / 1024} KiB over the flood");
            // Each answer is smaller than the hello it answers: no amplification.
            var answer = new byte[2048];
            sockets[0].ReceiveTimeout = 2000;
            int length = sockets[0].Receive(answer);
            Assert.True(length < hello.Length + DatagramFormat.OuterHeaderSize, $"a {length}-byte answer to a {hello.Length}-byte hello");
        }
        finally { sockets.ForEach(s => s.Dispose()); }

        using var link = UdpHandshake.ConnectAsync("127.0.0.1", server.EndPoint.Port, ClientSecurity, "real", NullLogger.Instance, Timeout, CancellationToken.None)
            .WaitAsync(Timeout).GetAwaiter().GetResult();
        Assert.Equal(ids.Server.Fingerprint, link.PeerFingerprint);
        WaitFor(() => { lock (server.Links) return server.Links.Count == 1; }, "the server never registered the real client");
        Assert.Equal(1, server.Listener.Associations);
    }

    [Fact]
    public void GarbageAndOversizedDatagramsAreCountedAndCreateNothing()
    {
        using var server = new Server(ServerSecurity);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var random = new Random(14);
        int garbage = 0;
        for (int i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(1, 1400)];
            random.NextBytes(bytes);
            if (bytes.Length > DatagramFormat.OuterHeaderSize && (bytes[0] == DatagramFormat.MarkerDtls || bytes[0] == DatagramFormat.MarkerPlain)) bytes[0] = 0;
            socket.SendTo(bytes, server.EndPoint);
            garbage++;
        }
        // Our header, then random bytes that are no ClientHello: no cookie, no state.
        for (int i = 0; i < 200; i++)
        {
            var content = new byte[random.Next(1, 1000)];
            random.NextBytes(content);
            socket.SendTo(WithHeader(DatagramFormat.MarkerDtls, (ulong)random.NextInt64(1, long.MaxValue), content), server.EndPoint);
        }
        for (int i = 0; i < 20; i++) socket.SendTo(WithHeader(DatagramFormat.MarkerDtls, 77, new byte[60_000]), server.EndPoint);
        WaitFor(() => server.Refused("udp-oversized") == 20 && server.Refused("udp-garbage") >= garbage + 200,
            $"counted: {string.Join(", ", server.Refusals.Snapshot())}");
        Assert.Equal(0, server.Listener.Associations);
        Assert.Equal(0, server.Listener.CookiesSent);
        Assert.Equal(0, server.Limits.TrackedSources);
    }

    [Fact]
    public void AnInsecureClientAtADtlsServerIsCountedNotAnswered()
    {
        using var server = new Server(ServerSecurity);
        var error = Assert.Throws<TunnelHandshakeException>(() =>
            UdpHandshake.Connect("127.0.0.1", server.EndPoint.Port, null, "plain", NullLogger.Instance, TimeSpan.FromSeconds(2), CancellationToken.None, false));
        Assert.Contains("no answer", error.Message);
        Assert.True(server.Refused("udp-wrong-security") >= 1);
        Assert.Equal(0, server.Listener.Associations);
    }

    [Fact]
    public void TheTunnelLimitsOfIssue12ApplyToUdpAndARefusedClientHearsServerBusy()
    {
        using var server = new Server(ServerSecurity, tunnelsPerSource: 1);
        using var first = UdpHandshake.ConnectAsync("127.0.0.1", server.EndPoint.Port, ClientSecurity, "first", NullLogger.Instance, Timeout, CancellationToken.None)
            .WaitAsync(Timeout).GetAwaiter().GetResult();
        WaitFor(() => { lock (server.Links) return server.Links.Count == 1; }, "the first client was never registered");
        var refused = Assert.Throws<TunnelHandshakeException>(() =>
            UdpHandshake.Connect("127.0.0.1", server.EndPoint.Port, ClientSecurity, "second", NullLogger.Instance, Timeout, CancellationToken.None, false));
        Assert.Contains("server busy", refused.Message);
        Assert.Contains("--max-tunnels-per-source", refused.Message);
        WaitFor(() => server.Refused("refused-tunnels-per-source") == 1, "the refusal was not counted");
        WaitFor(() => server.Listener.Associations == 1, "the refused association was kept");
        Assert.Equal(1, server.Limits.EstablishedTunnels);
        Assert.Equal(0, server.Limits.PendingHandshakes);
    }
}
