using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Security;
using PppoeProxy.Tests.Cli;
using PppoeProxy.Tests.Tunnel;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Every malformed class, sent through a running tunnel in each of the four directions (LAN → tunnel and
/// tunnel → LAN on the client, AC → tunnel and tunnel → AC on the server): a capture at the far side holds
/// none of them, the end that dropped them counts each one as Malformed, and one valid frame sent the same
/// way does arrive (so the capture and the path are right). The hostile peers are the engine's own tunnel
/// code run in the test, which sends whatever it is given.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class TunnelMalformedFrameTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly MacAddress FakeClient = MacAddress.Parse("02:00:5e:10:00:42");
    private static readonly byte[] ValidMarker = "valid-ok"u8.ToArray();

    // Sends each hex argument after the interface as one raw frame.
    private const string SendRaw = "import socket, sys\ns = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\ns.bind((sys.argv[1], 0))\n" +
                                   "for h in sys.argv[2:]: s.send(bytes.fromhex(h))\n";

    [RootFact]
    public void NoMalformedFrameCrossesTheTunnelInEitherDirectionAndEachIsCounted()
    {
        using var t = new TunnelLab();
        var serverSocket = Path.Combine(t.Dir, "server.sock");
        var clientSocket = Path.Combine(t.Dir, "client.sock");
        var server = t.StartServer(Wire.Insecure, extra: new[] { "--status-socket", serverSocket });
        var client = t.ConnectClient(Wire.Insecure, extra: new[] { "--status-socket", clientSocket });
        var acMac = MacAddress.Parse(t.Lab.MacOf(t.Lab.AcNs, t.Lab.AcIf));
        var session = t.Lab.Dial(); // the real client's MAC is now owned by the tunnel: the AC's frames to it are routed
        var homeMac = MacAddress.Parse(session.ClientMac);
        int count = MalformedFrames.All(FakeClient, acMac, 7).Count;

        // 1. LAN → tunnel: the client drops them.
        var atAc = t.CaptureAtAc();
        Send(t.Lab.HomeNs, t.Lab.HomeIf, MalformedFrames.All(FakeClient, acMac, 0x77), Valid(FakeClient, MacAddress.Broadcast, PppoeCode.PADI));
        Assert.True(WaitForDrops(clientSocket, count), $"client counted {Drops(clientSocket)} of {count}\n{t.Diagnostics()}");
        AssertOnlyTheValidFrameArrived(atAc, "LAN → AC");

        // 2. AC → tunnel: the server drops them, though they are addressed to a client it routes.
        var atHome = t.Capture(t.Lab.HomeNs, t.Lab.HomeIf, "pppoed or pppoes");
        Send(t.Lab.AcNs, t.Lab.AcIf, MalformedFrames.All(acMac, homeMac, session.SessionId), Valid(acMac, homeMac, PppoeCode.PADO));
        Assert.True(WaitForDrops(serverSocket, count), $"server counted {Drops(serverSocket)} of {count}\n{t.Diagnostics()}");
        AssertOnlyTheValidFrameArrived(atHome, "AC → LAN");

        // 3. tunnel → AC: a hostile client sends them straight into its tunnel.
        atAc = t.CaptureAtAc();
        using (var hostile = TunnelHandshake.ConnectAsync("127.0.0.1", t.Port, TunnelMode.V1, null, "hostile", NullLogger.Instance, Wait, default)
                   .GetAwaiter().GetResult())
        {
            hostile.Start((_, _) => { });
            var hostileMac = MacAddress.Parse("02:00:5e:10:00:43");
            foreach (var (_, frame) in MalformedFrames.All(hostileMac, acMac, 0x78)) Assert.True(hostile.TrySendFrame(frame, EtherTypeOf(frame)));
            var valid = Valid(hostileMac, MacAddress.Broadcast, PppoeCode.PADI);
            Assert.True(hostile.TrySendFrame(valid, EtherTypes.PppoeDiscovery));
            Assert.True(WaitForDrops(serverSocket, 2 * count), $"server counted {Drops(serverSocket)} of {2 * count}\n{t.Diagnostics()}");
            AssertOnlyTheValidFrameArrived(atAc, "tunnel → AC");
        }

        // 4. tunnel → LAN: a hostile server sends them to a client that dialled it.
        client.Stop();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var victimSocket = Path.Combine(t.Dir, "victim.sock");
            var victim = t.Run("victim client", "client", "--interface", t.Lab.ClientSideIf, "--server", $"127.0.0.1:{port}", "--insecure",
                "--keepalive", "1", "--status-socket", victimSocket);
            using var accepted = listener.AcceptSocket();
            using var hostile = TunnelHandshake.AcceptAsync(accepted, TunnelMode.V1, null, CidrAllowList.LoopbackOnly, NullLogger.Instance, Wait, default)
                .GetAwaiter().GetResult();
            hostile.Start((_, _) => { });
            victim.WaitForLog("tunnel connected to", Wait);
            atHome = t.Capture(t.Lab.HomeNs, t.Lab.HomeIf, "pppoed or pppoes");
            foreach (var (_, frame) in MalformedFrames.All(acMac, homeMac, session.SessionId)) Assert.True(hostile.TrySendFrame(frame, EtherTypeOf(frame)));
            Assert.True(hostile.TrySendFrame(Valid(acMac, homeMac, PppoeCode.PADO), EtherTypes.PppoeDiscovery));
            Assert.True(WaitForDrops(victimSocket, count), $"victim client counted {Drops(victimSocket)} of {count}\n{t.Diagnostics()}");
            AssertOnlyTheValidFrameArrived(atHome, "tunnel → LAN");
        }
        finally { listener.Stop(); }
        output.WriteLine($"{count} malformed classes dropped and counted in each of 4 directions");
    }

    private static ushort EtherTypeOf(byte[] frame) => (ushort)(frame[12] << 8 | frame[13]);

    /// <summary>A well-formed discovery frame carrying <see cref="ValidMarker"/>: the control that must arrive.</summary>
    private static byte[] Valid(MacAddress from, MacAddress to, PppoeCode code) =>
        PppoeFrame.Discovery(code, from, to, 0, new[] { new PppoeTag((ushort)PppoeTagType.ServiceName, ValidMarker) }).ToBytes();

    private static void Send(string ns, string iface, IReadOnlyList<(FrameError Class, byte[] Frame)> malformed, byte[] valid)
    {
        var frames = malformed.Select(m => Convert.ToHexString(m.Frame)).Append(Convert.ToHexString(valid));
        var r = NetnsLab.RunIn(ns, TimeSpan.FromSeconds(15), "/usr/bin/python3", new[] { "-c", SendRaw, iface }.Concat(frames).ToArray());
        Assert.True(r.Ok, r.ToString());
    }

    private void AssertOnlyTheValidFrameArrived(PacketCapture capture, string direction)
    {
        Thread.Sleep(300); // anything forwarded would be on the far side by now
        var bytes = capture.Bytes();
        Assert.True(bytes.AsSpan().IndexOf(ValidMarker) >= 0, $"{direction}: the valid control frame did not arrive: the capture proves nothing");
        Assert.True(bytes.AsSpan().IndexOf(MalformedFrames.Marker) < 0, $"{direction}: a malformed frame arrived:\n" + string.Join('\n', capture.Lines()));
        // The one class without a marker (a PPPoE header cut short): no frame that short on the far side.
        var shortFrames = capture.Lines().Where(l => l.Contains("length 17") || l.Contains("length 17:")).ToList();
        Assert.True(shortFrames.Count == 0, $"{direction}: a truncated PPPoE header arrived:\n" + string.Join('\n', shortFrames));
        output.WriteLine($"{direction}: 0 malformed frames at the far side, the valid control arrived");
    }

    private static bool WaitForDrops(string socket, long expected) =>
        NetnsLab.WaitUntil(() => Drops(socket) >= expected, Wait) && Drops(socket) == expected;

    /// <summary>The end's Malformed drops over all its tunnels, from `pppoeproxy status --json`.</summary>
    internal static long Drops(string socket, string reason = "Malformed")
    {
        var r = CliRunner.Run("status", "--socket", socket, "--json");
        if (r.ExitCode != 0 || r.OutLines.Length == 0) return -1;
        var drops = JsonDocument.Parse(r.OutLines[0]).RootElement.GetProperty("counters").GetProperty("drops");
        foreach (var d in drops.EnumerateObject())
            if (string.Equals(d.Name, reason, StringComparison.OrdinalIgnoreCase)) return d.Value.GetInt64();
        return 0;
    }
}
