using System.Net;
using System.Net.Sockets;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// A `pppoeproxy server` process for the limit tests: on a veth pair of its own (nothing is ever
/// dialled, the interface only has to exist), listening on loopback. Reads the process's threads and
/// RSS from /proc, and speaks the v1 hello from any 127.x source address the test picks.
/// </summary>
public sealed class LimitsServer : IDisposable
{
    // Under the lab prefix (PPX_LAB_PREFIX), as every lab link: at most 4 + 1 + 8 + "p" = 14 characters.
    private readonly string _veth = NetnsLab.LabPrefix + "b" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _statusSocket = Path.Combine(Path.GetTempPath(), $"ppxb-{Guid.NewGuid():N}.sock");

    public LimitsServer(bool legacy = false, params string[] extra)
    {
        Port = TunnelLab.FreeLoopbackPort();
        Run("ip", "link", "add", _veth, "type", "veth", "peer", "name", _veth + "p");
        Run("ip", "link", "set", _veth, "up");
        Run("ip", "link", "set", _veth + "p", "up");
        var args = legacy
            ? new List<string> { "-interface", _veth, "-mode", "server", "-address", $"127.0.0.1:{Port}", "-allow", "127.0.0.0/8" }
            : new List<string> { "server", "--interface", _veth, "--listen", $"127.0.0.1:{Port}", "--status-socket", _statusSocket };
        args.AddRange(extra);
        Process = ProxyProcess.Cli("server", args.ToArray());
        try { Process.WaitForLog("server listening on", TimeSpan.FromSeconds(20)); }
        catch
        {
            Dispose(); // a constructor that throws is never disposed: leave no veth behind
            throw;
        }
    }

    public int Port { get; }
    public ProxyProcess Process { get; }

    /// <summary>Connections refused so far, by cause, as `status --json` reports them (v1 servers only).</summary>
    public IReadOnlyDictionary<string, long> Refusals()
    {
        using var json = System.Text.Json.JsonDocument.Parse(PppoeProxy.Engine.Tunnel.StatusEndpoint.Query(_statusSocket, TimeSpan.FromSeconds(10)));
        return json.RootElement.GetProperty("refusals").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
    }

    public int Threads => (int)StatusField("Threads:");
    public long RssKiB => StatusField("VmRSS:");

    private long StatusField(string name)
    {
        var line = File.ReadLines($"/proc/{Process.Pid}/status").First(l => l.StartsWith(name));
        return long.Parse(line[name.Length..].Trim().Split(' ')[0]);
    }

    /// <summary>A 127.x.y.z source address for connection <paramref name="i"/> out of <paramref name="sources"/> different ones.</summary>
    public static IPAddress Source(int i, int sources) => new(new byte[] { 127, 1, (byte)(i % sources / 250), (byte)(i % sources % 250 + 1) });

    /// <summary>Connects from <paramref name="source"/> (unless null); the socket is the caller's.</summary>
    public Socket Connect(IPAddress? source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (source is not null) socket.Bind(new IPEndPoint(source, 0));
        socket.Connect(IPAddress.Loopback, Port);
        socket.ReceiveTimeout = 4000;
        return socket;
    }

    /// <summary>Sends a v1 hello and reads the reply; null when the server closed without one.</summary>
    public static ServerReply? Hello(Socket socket, string name = "flood")
    {
        var hello = new byte[WireHandshake.MaxHelloSize];
        socket.Send(hello.AsSpan(0, WireHandshake.WriteHello(hello, name)));
        return ReadReply(socket);
    }

    public static ServerReply? ReadReply(Socket socket)
    {
        var buffer = new byte[WireHandshake.MaxReplySize];
        int filled = 0;
        ServerReply reply;
        while (!WireHandshake.TryReadReply(buffer.AsSpan(0, filled), out reply, out _))
        {
            int read;
            try { read = socket.Receive(buffer.AsSpan(filled)); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { return null; }
            if (read == 0) return null;
            filled += read;
        }
        return reply;
    }

    private static void Run(string file, params string[] args)
    {
        var r = NetnsLab.Run(file, args, TimeSpan.FromSeconds(10));
        if (!r.Ok) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {r}");
    }

    public void Dispose()
    {
        Process.Dispose();
        NetnsLab.Run("ip", new[] { "link", "del", _veth }, TimeSpan.FromSeconds(5));
    }
}
