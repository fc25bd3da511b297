using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Wire;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// What the probe did as an attacker, against a real server process: floods of idle tunnels
/// (plain v1 and legacy), slow handshakes from one address, a TLS client past the limit. Each
/// asserts a bound the old code broke: it accepted every tunnel (1,000 idle ones: ~2,000 threads,
/// RSS +140 MB), locked a legitimate client out for 56-59 s, closed refused sockets without the Busy
/// status and logged a line per refused connection.
/// Run with the tunnel lab tests, not beside other tests: their server processes would count as left over
/// in tests that look for pppoeproxy processes, and RSS and thread counts want a quiet machine.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class ServerLimitsTests(ITestOutputHelper output)
{
    private const int Flood = 300;
    private const int Sources = 100;

    [RootFact]
    public void AnIdleTunnelFloodIsCappedInTunnelsThreadsMemoryAndLogLines()
    {
        using var server = new LimitsServer(extra: "--insecure");
        Thread.Sleep(500);
        int threadsBefore = server.Threads;
        long rssBefore = server.RssKiB;
        int linesBefore = server.Process.StderrLines.Count;
        var burst = Stopwatch.StartNew();

        var kept = FloodWithHellos(server, out int busy);
        burst.Stop();
        Thread.Sleep(1500); // the rate-limited log's summaries come out
        int lines = server.Process.StderrLines.Count - linesBefore;
        int threadsDuring = server.Threads;
        output.WriteLine($"round 1: {kept.Count} accepted, {busy} busy in {burst.Elapsed.TotalSeconds:0.0} s; threads {threadsBefore} -> {threadsDuring}; {lines} log lines; RSS {rssBefore / 1024} -> {server.RssKiB / 1024} MiB");

        Assert.Equal(ServerOptions.DefaultMaxTunnels, kept.Count);
        Assert.Equal(Flood - ServerOptions.DefaultMaxTunnels, busy); // every refusal said Busy, none was just closed
        Assert.True(threadsDuring <= threadsBefore + ServerOptions.DefaultMaxTunnels + 48, $"threads {threadsBefore} -> {threadsDuring}");
        // One line per cause per second, plus the counts held back: not one per connection.
        Assert.True(lines <= 12 + 6 * (int)Math.Ceiling(burst.Elapsed.TotalSeconds), $"{lines} log lines for {Flood} connections\n" + server.Process);
        Assert.Contains(server.Process.StderrLines, l => l.Contains("tunnel(s) already connected (--max-tunnels)"));
        // The log holds the flood back; the counters say how big it was (status --json, metrics).
        Assert.Equal(busy, server.Refusals().GetValueOrDefault("refused-tunnels"));

        // The second round drove RSS to 3.2 GB and kept it there after the close.
        kept.ForEach(s => s.Dispose());
        Thread.Sleep(500);
        kept = FloodWithHellos(server, out _);
        Assert.Equal(ServerOptions.DefaultMaxTunnels, kept.Count); // the first round's slots came back
        long rssAfter = server.RssKiB;
        kept.ForEach(s => s.Dispose());
        output.WriteLine($"round 2: RSS {rssBefore / 1024} -> {rssAfter / 1024} MiB, threads {server.Threads}");
        Assert.True(rssAfter - rssBefore < 64 * 1024, $"RSS grew from {rssBefore / 1024} to {rssAfter / 1024} MiB");
        Assert.False(server.Process.HasExited, server.Process.ToString());
    }

    [RootFact]
    public void ALegacyConnectBurstMakesNoMoreTunnelsThanTheLimit()
    {
        using var server = new LimitsServer(legacy: true);
        Thread.Sleep(500);
        int threadsBefore = server.Threads;
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < Flood; i++) sockets.Add(server.Connect(LimitsServer.Source(i, Sources)));
            Thread.Sleep(1500);
            // Refused ones were closed by the server: readable with nothing to read. Tunnels stay open and quiet.
            int open = sockets.Count(s => !(s.Poll(0, SelectMode.SelectRead) && s.Available == 0));
            int threads = server.Threads;
            output.WriteLine($"legacy: {open} of {Flood} connects became tunnels; threads {threadsBefore} -> {threads}");
            Assert.Equal(ServerOptions.DefaultMaxTunnels, open);
            Assert.True(threads <= threadsBefore + ServerOptions.DefaultMaxTunnels + 48, $"threads {threadsBefore} -> {threads}");
            Assert.True(server.Process.CountLog("tunnel connected:") <= 10, server.Process.ToString());
        }
        finally { sockets.ForEach(s => s.Dispose()); }
    }

    [RootFact]
    public void SlowHandshakesFromOneAddressDoNotLockOutALegitimateClient()
    {
        using var server = new LimitsServer(extra: "--insecure");
        var attacker = IPAddress.Parse("127.0.0.2");
        var slow = new List<Socket>();
        try
        {
            // 100 connections that never say hello, kept open (the slowloris).
            for (int i = 0; i < 100; i++) slow.Add(server.Connect(attacker));
            var waited = Stopwatch.StartNew();
            // The real client code, from 127.0.0.1: in at the first attempt, not after the slow ones time out.
            using var link = TunnelHandshake.ConnectAsync("127.0.0.1", server.Port, TunnelMode.V1, null, "legit",
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeSpan.FromSeconds(5), CancellationToken.None).GetAwaiter().GetResult();
            output.WriteLine($"legitimate client in after {waited.ElapsedMilliseconds} ms");
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(3), $"took {waited.Elapsed}");

            // Past its share the attacker was told Busy at once, not left to time out.
            var refused = slow.Skip(ServerOptions.DefaultMaxHandshakesPerSource).Take(5).Select(LimitsServer.ReadReply).ToList();
            Assert.All(refused, r => Assert.Equal(HandshakeStatus.Busy, r?.Status));
            Assert.Contains("server busy", refused[0]!.Value.Text);
            Thread.Sleep(1200);
            Assert.True(server.Process.CountLog("refused 127\\.0\\.0\\.2") <= 3, server.Process.ToString());
            Assert.Contains(server.Process.StderrLines, l => l.Contains("more like it") || l.Contains("more lines of kind refused-handshakes-per-source"));
        }
        finally { slow.ForEach(s => s.Dispose()); }
    }

    [RootFact]
    public void ATlsClientPastTheTunnelLimitHearsServerBusyNotACertificateProblem()
    {
        using var ids = new Tunnel.TunnelIdentities();
        string Prefix(string name) => Path.Combine(ids.Directory, name);
        using var server = new LimitsServer(extra: new[] { "--cert", Prefix("server") + ".crt", "--key", Prefix("server") + ".key",
            "--trust", ids.Client.Fingerprint, "--max-tunnels", "1", "--max-handshakes-per-source", "1" });
        var security = TunnelSecurity.Load(Prefix("client") + ".crt", Prefix("client") + ".key", new[] { ids.Server.Fingerprint });
        TunnelLink Connect(string name) => TunnelHandshake.ConnectAsync("127.0.0.1", server.Port, TunnelMode.V1, security, name,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeSpan.FromSeconds(5), CancellationToken.None).GetAwaiter().GetResult();

        // A handshake under way from our address takes the source's only slot: the next is closed before TLS.
        using (var silent = server.Connect(null))
        {
            var early = Assert.Throws<TunnelHandshakeException>(() => Connect("early"));
            output.WriteLine(early.Message);
            Assert.Contains("server busy", early.Message);
        }
        // The silent connection's slot comes back once the server sees it close.
        Assert.True(SpinWait.SpinUntil(() => server.Process.HasLog("refused-handshake|closed before its hello|TLS handshake"), 5000), server.Process.ToString());

        using var first = Connect("first");
        var second = Assert.Throws<TunnelHandshakeException>(() => Connect("second"));
        output.WriteLine(second.Message);
        Assert.Contains("rejected (Busy", second.Message);
        Assert.Contains("server busy", second.Message);
        Assert.DoesNotContain("certificate", second.Message);
    }

    // Hellos from many sources, one after another; the accepted sockets are kept open (idle tunnels).
    private static List<Socket> FloodWithHellos(LimitsServer server, out int busy)
    {
        var kept = new List<Socket>();
        busy = 0;
        for (int i = 0; i < Flood; i++)
        {
            var socket = server.Connect(LimitsServer.Source(i, Sources));
            var reply = LimitsServer.Hello(socket);
            if (reply is { IsAccepted: true }) { kept.Add(socket); continue; }
            if (reply?.Status == HandshakeStatus.Busy) busy++;
            socket.Dispose();
        }
        return kept;
    }
}
