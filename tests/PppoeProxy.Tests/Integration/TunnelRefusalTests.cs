using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PppoeProxy.Tests.Integration;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// A tunnel the server refuses (source address, client certificate) or the client refuses (server
/// certificate) must carry nothing: the home LAN's PADIs never reach the AC, no AC answers.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class TunnelRefusalTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(15);

    [RootFact]
    public void ClientOutsideTheAllowListIsRejected()
    {
        using var t = new TunnelLab();
        // The client connects to 127.0.0.1 from 127.0.0.1; only 127.0.0.2 is allowed.
        var server = t.StartServer(Wire.Tls, extra: new[] { "--allow", "127.0.0.2/32" });
        var client = t.StartClient();
        var rejected = server.WaitForLog("rejected 127\\.0\\.0\\.1:\\d+: not in the allow-list", LogWait);
        output.WriteLine(rejected);
        AssertNothingGetsThrough(t, server, client);
    }

    [RootFact]
    public void ClientWithAnUntrustedCertificateIsRejected()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Tls);
        var client = t.StartClient(id: t.StrangerId);
        var rejected = server.WaitForLog("rejected .*not trusted", LogWait);
        Assert.Contains(t.StrangerId.Fingerprint, rejected);
        AssertNothingGetsThrough(t, server, client);
    }

    [RootFact]
    public void ClientPinningAnotherServerFingerprintRefusesTheServer()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Tls);
        var client = t.StartClient(trustServer: t.StrangerId.Fingerprint);
        var refused = client.WaitForLog("cannot connect: .*fingerprint mismatch", LogWait);
        Assert.Contains($"expected {t.StrangerId.Fingerprint}, got {t.ServerId.Fingerprint}", refused);
        AssertNothingGetsThrough(t, server, client);
    }

    [RootFact]
    public void SilentConnectionsBeyondTheHandshakeLimitAreClosedAtOnceAndARealClientGetsInAfterwards()
    {
        using var t = new TunnelLab();
        var server = t.StartServer(Wire.Tls);
        var silent = new List<TcpClient>();
        try
        {
            // Each one holds a handshake thread for up to 5 s; one source gets at most its share of them.
            for (int i = 0; i < PppoeProxy.Engine.Tunnel.ServerOptions.DefaultMaxHandshakesPerSource; i++)
            {
                var connection = new TcpClient();
                connection.Connect(IPAddress.Loopback, t.Port);
                silent.Add(connection);
            }
            using var oneTooMany = new TcpClient();
            oneTooMany.Connect(IPAddress.Loopback, t.Port);
            oneTooMany.ReceiveTimeout = 4000; // below the 5-s handshake timeout: a close must come from the limit
            var waited = Stopwatch.StartNew();
            Assert.Equal(0, ReadOrClosed(oneTooMany.GetStream()));
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(4), $"closed only after {waited.Elapsed}");
            server.WaitForLog("refused 127\\.0\\.0\\.1:\\d+: 4 handshake\\(s\\) from this source already in progress", LogWait);
        }
        finally { silent.ForEach(connection => connection.Dispose()); }
        // The silent ones are gone, so their slots are free again.
        var client = t.ConnectClient();
        Assert.False(client.HasExited);
    }

    // 0 when the server closed the connection (FIN or reset); a timeout fails the test.
    private static int ReadOrClosed(NetworkStream stream)
    {
        try { return stream.Read(new byte[64]); }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset }) { return 0; }
    }

    /// <summary>A bounded dial attempt (PADIs from the home LAN for 3 s) gets no offer and the AC sees no frame.</summary>
    internal static void AssertNothingGetsThrough(TunnelLab t, ProxyProcess server, ProxyProcess client)
    {
        using var atAc = t.CaptureAtAc();
        var probe = CliInNamespace.Run(t.Lab.HomeNs, TimeSpan.FromSeconds(30), "discover", "--interface", t.Lab.HomeIf, "--timeout", "3");
        Assert.True(probe.ExitCode == 1 && probe.Stderr.Contains("no access concentrator answered"), probe.ToString());
        var frames = atAc.Frames();
        Assert.True(frames.Count == 0, "frames reached the AC:\n" + string.Join('\n', frames.Select(f => f.Line)));
        Assert.False(server.HasLog("tunnel connected:"), server.ToString());
        Assert.False(client.HasLog("tunnel connected to"), client.ToString());
        Assert.False(server.HasLog("session up"), server.ToString());
        Assert.Empty(t.Lab.AliveAcSessions());
        Assert.False(client.HasExited, "a refused client keeps retrying, it does not crash\n" + client);
    }
}
