using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Datagram;
using PppoeProxy.Engine.Tunnel.Limits;
using PppoeProxy.Engine.Tunnel.Security;
using PppoeProxy.Tests.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Datagram;

/// <summary>
/// What an admin reads when a UDP tunnel does not come up (found walking through -Transport Udp in
/// pwsh): each line must say whose fault it is and what to do, not a bare alert name or a vague guess.
/// </summary>
public class UdpHandshakeWordingTests(TunnelIdentities ids) : IClassFixture<TunnelIdentities>
{
    [Fact]
    public void ServerSaysTheClientRefusedItsCertificateAndWhichFingerprintToPin()
    {
        // The client pins the stranger's fingerprint, so it refuses the server with bad_certificate.
        // The server used to log "rejected 127.0.0.1:N: bad_certificate(42)", which reads as if the
        // client's certificate were the bad one.
        var recorded = new RecordingLogger();
        var limits = new ConnectionLimiter(HandshakeLimit.Default, 4, 32, 4);
        using var listener = new UdpTunnelListener(new IPEndPoint(IPAddress.Loopback, 0),
            new TunnelSecurity(ids.Server.Cert, new HashSet<string> { ids.Client.Fingerprint }), CidrAllowList.LoopbackOnly, limits,
            TimeSpan.FromSeconds(5), NullLogger.Instance, new RateLimitedLog(recorded), new RefusalCounters(), (link, _) => link.Dispose());
        listener.Start();

        var refused = Assert.Throws<TunnelHandshakeException>(() => UdpHandshake.Connect("127.0.0.1", listener.LocalEndpoint.Port,
            new TunnelSecurity(ids.Client.Cert, new HashSet<string> { ids.Stranger.Fingerprint }), "home", NullLogger.Instance,
            TimeSpan.FromSeconds(5), CancellationToken.None, offerClaims: false));
        Assert.Contains("fingerprint mismatch", refused.Message);

        string line = WaitForLine(recorded, "rejected ");
        Assert.Matches(@"^rejected 127\.0\.0\.1:\d+: the client refused this server's certificate \(bad_certificate\(42\)\): it must pin [0-9a-f]{64}", line);
        Assert.Contains(ids.Server.Fingerprint, line);
    }

    [Fact]
    public void ClientAtAClosedUdpPortSaysNothingListensThere()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        // Loopback answers ICMP port unreachable; the line used to guess among four causes.
        foreach (var security in new[] { new TunnelSecurity(ids.Client.Cert, new HashSet<string> { ids.Server.Fingerprint }), null })
        {
            var failed = Assert.Throws<TunnelHandshakeException>(() => UdpHandshake.Connect("127.0.0.1", port, security, "home",
                NullLogger.Instance, TimeSpan.FromSeconds(2), CancellationToken.None, offerClaims: false));
            Assert.Equal($"127.0.0.1:{port}: nothing listens on UDP port {port} there (ICMP port unreachable, no answer within 2 s): server down, or not started with -Transport Udp / --transport udp",
                failed.Message);
        }
    }

    private static string WaitForLine(RecordingLogger log, string start)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var line = log.Lines.Select(l => l.Text).FirstOrDefault(t => t.StartsWith(start, StringComparison.Ordinal));
            if (line is not null) return line;
            Thread.Sleep(50);
        }
        throw new Xunit.Sdk.XunitException($"no line starting '{start}' in: {string.Join(" | ", log.Lines.Select(l => l.Text))}");
    }
}
