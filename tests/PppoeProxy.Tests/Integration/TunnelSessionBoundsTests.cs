using System.Diagnostics;
using System.Text.Json;
using PppoeProxy.Tests.Cli;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// What an attacker on a client's LAN does to the session tables: 100k distinct sessions opened and
/// ended through a running tunnel (the probe: 50k ids made status list 50,500 sessions, 24.5 MB of JSON,
/// +254 MB RSS), and a tunnel opening discovery after discovery past its limit.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class TunnelSessionBoundsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    // Session frame then PADT for N distinct (MAC, session id) pairs, paced to ~50k frames/s.
    private const string Churn = """
        import socket, struct, sys, time
        iface, ac, n = sys.argv[1], bytes.fromhex(sys.argv[2]), int(sys.argv[3])
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((iface, 0))
        for i in range(n):
            mac = bytes([2, 0, 0x5e, 0x20, i // 50000, 1])
            sid = 1 + i % 50000
            s.send(ac + mac + b'\x88\x64' + struct.pack('!BBHH', 0x11, 0, sid, 10) + b'\xc0\x21\x09\x01\x00\x08' + struct.pack('!I', i))
            s.send(ac + mac + b'\x88\x63' + struct.pack('!BBHH', 0x11, 0xa7, sid, 0))
            if i % 500 == 499: time.sleep(0.02)
        """;

    // One PADI from each of N MACs.
    private const string Padis = """
        import socket, struct, sys
        iface, n = sys.argv[1], int(sys.argv[2])
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((iface, 0))
        for i in range(n):
            s.send(b'\xff' * 6 + bytes([2, 0, 0x5e, 0x30, 0, i]) + b'\x88\x63' + struct.pack('!BBHHHH', 0x11, 0x09, 0, 4, 0x0101, 0))
        """;

    [RootFact]
    public void AHundredThousandSessionsThroughATunnelLeaveMemoryAndStatusBounded()
    {
        using var t = new TunnelLab();
        var serverSocket = Path.Combine(t.Dir, "server.sock");
        var clientSocket = Path.Combine(t.Dir, "client.sock");
        var server = t.StartServer(Wire.Insecure, extra: new[] { "--status-socket", serverSocket });
        var client = t.ConnectClient(Wire.Insecure, extra: new[] { "--status-socket", clientSocket });
        var acMac = t.Lab.MacOf(t.Lab.AcNs, t.Lab.AcIf).Replace(":", "");
        Thread.Sleep(1000); // past start-up allocations
        long serverRss = RssMb(server.Pid), clientRss = RssMb(client.Pid);

        var r = NetnsLab.RunIn(t.Lab.HomeNs, TimeSpan.FromSeconds(90), "/usr/bin/python3", "-c", Churn, t.Lab.HomeIf, acMac, "100000");
        Assert.True(r.Ok, r.ToString());
        Thread.Sleep(1500); // the tunnel drains, the ends sweep

        var serverStatus = Status(serverSocket, out var serverJsonBytes, out var serverTime);
        var clientStatus = Status(clientSocket, out var clientJsonBytes, out var clientTime);
        long serverFrames = serverStatus.GetProperty("counters").GetProperty("framesFromTunnel").GetInt64();
        int serverSessions = serverStatus.GetProperty("sessions").GetArrayLength(), clientSessions = clientStatus.GetProperty("sessions").GetArrayLength();
        long serverGrowth = RssMb(server.Pid) - serverRss, clientGrowth = RssMb(client.Pid) - clientRss;
        output.WriteLine($"server: {serverFrames} frames from the tunnel, {serverSessions} sessions, status {serverJsonBytes / 1024} KiB in {serverTime.TotalMilliseconds:0} ms, RSS {serverRss} MB +{serverGrowth} MB");
        output.WriteLine($"client: {clientSessions} sessions, status {clientJsonBytes / 1024} KiB in {clientTime.TotalMilliseconds:0} ms, RSS {clientRss} MB +{clientGrowth} MB");
        output.WriteLine($"server SessionLimit drops {TunnelMalformedFrameTests.Drops(serverSocket, "SessionLimit")}");

        // The flood did go through (most of it): the bounds below are not an empty tunnel's.
        Assert.True(serverFrames >= 100_000, $"only {serverFrames} frames reached the server\n{t.Diagnostics()}");
        Assert.InRange(serverSessions, 0, 4096);
        Assert.InRange(clientSessions, 0, 4096);
        Assert.InRange(serverJsonBytes, 0, 4 << 20);
        Assert.InRange(clientJsonBytes, 0, 4 << 20);
        Assert.True(serverGrowth < 100 && clientGrowth < 100, $"RSS grew server +{serverGrowth} MB, client +{clientGrowth} MB");

        // And the real client still dials through the same tunnel.
        var session = t.Lab.Dial();
        Assert.NotEqual(0, session.SessionId);
    }

    [RootFact]
    public void ATunnelPastItsSessionLimitIsRefusedFurtherDiscoveryWhileAnotherTunnelDials()
    {
        using var t = new TunnelLab();
        var serverSocket = Path.Combine(t.Dir, "server.sock");
        var labB = t.AddLab();
        var server = t.StartServer(Wire.Insecure, extra: new[] { "--status-socket", serverSocket, "--max-sessions-per-tunnel", "4" });
        t.ConnectClient(Wire.Insecure, name: "client A");
        t.ConnectClient(Wire.Insecure, lab: labB, name: "client B");
        var atAc = t.CaptureAtAc();

        var r = NetnsLab.RunIn(t.Lab.HomeNs, TimeSpan.FromSeconds(15), "/usr/bin/python3", "-c", Padis, t.Lab.HomeIf, "10");
        Assert.True(r.Ok, r.ToString());
        Assert.True(NetnsLab.WaitUntil(() => TunnelMalformedFrameTests.Drops(serverSocket, "SessionLimit") >= 6, Wait),
            $"SessionLimit drops {TunnelMalformedFrameTests.Drops(serverSocket, "SessionLimit")}\n{t.Diagnostics()}");
        var line = server.WaitForLog("--max-sessions-per-tunnel", Wait);
        output.WriteLine(line);

        // B is another tunnel: A's limit is not B's.
        var b = labB.Dial(servedBy: t.Lab);
        Assert.NotEqual(0, b.SessionId);
        Thread.Sleep(300);
        var padis = atAc.Frames().Where(f => f.Src.StartsWith("02:00:5e:30:00:", StringComparison.Ordinal)).ToList();
        Assert.True(padis.Count == 4, $"{padis.Count} of A's 10 PADIs reached the AC (limit 4):\n" + string.Join('\n', padis.Select(f => f.Line)));
        Assert.Equal(6, TunnelMalformedFrameTests.Drops(serverSocket, "SessionLimit"));
        Assert.Equal(1, server.CountLog("--max-sessions-per-tunnel")); // once, however many were refused
    }

    private static JsonElement Status(string socket, out int bytes, out TimeSpan took)
    {
        var watch = Stopwatch.StartNew();
        var r = CliRunner.Run("status", "--socket", socket, "--json");
        took = watch.Elapsed;
        Assert.True(r.ExitCode == 0, r.Error);
        bytes = r.Out.Length;
        return JsonDocument.Parse(r.OutLines[0]).RootElement;
    }

    private static long RssMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }
}
