using System.Net;
using System.Net.Sockets;
using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Integration;

public enum Wire { Tls, Insecure, Legacy }

/// <summary>A `cert new` identity: PEM files and the fingerprint the peer pins.</summary>
public sealed record Identity(string Cert, string Key, string Fingerprint);

/// <summary>
/// A split netns lab (real rp-pppoe AC and home client) with our server on NAME-s and our client on
/// NAME-c, tunnelled over loopback. Owns every process, capture, extra lab and link it creates and
/// removes them all in Dispose, whatever state the test left them in.
/// </summary>
public sealed class TunnelLab : IDisposable
{
    private readonly List<ProxyProcess> _processes = new();
    private readonly List<PacketCapture> _captures = new();
    private readonly List<NetnsLab> _labs = new();
    private readonly List<string> _links = new();
    private bool _disposed;

    public NetnsLab Lab { get; }
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "ppx-tunnel-" + Guid.NewGuid().ToString("N")[..12]);
    public int Port { get; } = FreeLoopbackPort();
    public string Endpoint => $"127.0.0.1:{Port}";
    public Identity ServerId { get; }
    public Identity ClientId { get; }
    public Identity OtherClientId { get; }
    public Identity StrangerId { get; }
    /// <summary>Short grace so expiry tests stay fast; long enough for a dotnet restart.</summary>
    public double Grace { get; set; } = 5;

    /// <param name="onePerMac">pppoe-server -x 1: a ghost session makes a redial from the same MAC fail.</param>
    public TunnelLab(bool onePerMac = false)
    {
        Directory.CreateDirectory(Dir);
        try
        {
            ServerId = NewIdentity("server");
            ClientId = NewIdentity("client");
            OtherClientId = NewIdentity("other");
            StrangerId = NewIdentity("stranger");
            Lab = NetnsLab.Start(split: true, onePerMac: onePerMac);
            _labs.Add(Lab);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>`pppoeproxy cert new` (in-process: the same code as the executable, a second faster).</summary>
    private Identity NewIdentity(string name)
    {
        var prefix = Path.Combine(Dir, name);
        var r = CliRunner.Run("cert", "new", "--out", prefix);
        Assert.True(r.ExitCode == 0, $"cert new failed: {r.Error}");
        return new Identity(prefix + ".crt", prefix + ".key", r.OutLines[^1]);
    }

    public static int FreeLoopbackPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>A second split lab (its own home LAN for a second client; its AC side stays unused).</summary>
    public NetnsLab AddLab()
    {
        var lab = NetnsLab.Start(split: true);
        _labs.Add(lab);
        return lab;
    }

    /// <summary>Registers an interface this test created in the root namespace, deleted on Dispose.</summary>
    public void OwnLink(string name) => _links.Add(name);

    public ProxyProcess Run(string name, params string[] args)
    {
        var p = ProxyProcess.Cli(name, args);
        _processes.Add(p);
        return p;
    }

    /// <summary>Starts the server on the lab's AC side and waits until it listens.</summary>
    public ProxyProcess StartServer(Wire wire = Wire.Tls, string? iface = null, string[]? trust = null, params string[] extra)
    {
        iface ??= Lab.ServerSideIf;
        var args = wire switch
        {
            Wire.Legacy => new List<string> { "-interface", iface, "-mode", "server", "-address", Endpoint, "-allow", "127.0.0.1" },
            _ => new List<string> { "server", "--interface", iface, "--listen", Endpoint, "--grace", Grace.ToString(System.Globalization.CultureInfo.InvariantCulture), "--stats", "1" },
        };
        if (wire == Wire.Tls)
            args.AddRange(new[] { "--cert", ServerId.Cert, "--key", ServerId.Key,
                "--trust", string.Join(',', trust ?? new[] { ClientId.Fingerprint, OtherClientId.Fingerprint }) });
        else if (wire == Wire.Insecure) args.Add("--insecure");
        args.AddRange(extra);
        var p = Run("server", args.ToArray());
        p.WaitForLog("server listening on", TimeSpan.FromSeconds(20));
        return p;
    }

    /// <summary>Starts a client on a lab's home side; does not wait for the tunnel (refusal tests).</summary>
    public ProxyProcess StartClient(Wire wire = Wire.Tls, NetnsLab? lab = null, Identity? id = null, string? trustServer = null,
        string name = "client", params string[] extra)
    {
        var iface = (lab ?? Lab).ClientSideIf;
        id ??= ClientId;
        var args = wire switch
        {
            Wire.Legacy => new List<string> { "-interface", iface, "-mode", "client", "-address", Endpoint },
            _ => new List<string> { "client", "--interface", iface, "--server", Endpoint, "--grace", Grace.ToString(System.Globalization.CultureInfo.InvariantCulture), "--keepalive", "1" },
        };
        if (wire == Wire.Tls)
            args.AddRange(new[] { "--cert", id.Cert, "--key", id.Key, "--trust", trustServer ?? ServerId.Fingerprint });
        else if (wire == Wire.Insecure) args.Add("--insecure");
        args.AddRange(extra);
        return Run(name, args.ToArray());
    }

    /// <summary>A client whose tunnel is up (its log says so).</summary>
    public ProxyProcess ConnectClient(Wire wire = Wire.Tls, NetnsLab? lab = null, Identity? id = null, string name = "client", params string[] extra)
    {
        var p = StartClient(wire, lab, id, null, name, extra);
        p.WaitForLog("tunnel connected to", TimeSpan.FromSeconds(20));
        return p;
    }

    public PacketCapture Capture(string? ns, string iface, string filter)
    {
        var c = PacketCapture.Start(ns, iface, filter, Dir);
        _captures.Add(c);
        return c;
    }

    /// <summary>The AC's side of the lab: every PPPoE frame pppoe-server's interface sees.</summary>
    public PacketCapture CaptureAtAc() => Capture(Lab.AcNs, Lab.AcIf, "pppoed or pppoes");

    /// <summary>Everything our processes and the labs wrote: the failure message of a lab assertion.</summary>
    public string Diagnostics() =>
        string.Join('\n', _processes.Select(p => p.ToString())) + "\n" + string.Join('\n', _labs.Select(l => l.Logs()));

    /// <summary>Pids, namespaces, links and files that must all be gone after Dispose.</summary>
    public (IReadOnlyList<int> Pids, IReadOnlyList<string> Names) Footprint()
    {
        var pids = _processes.Select(p => p.Pid).Concat(_labs.SelectMany(l => l.NamespacePids())).ToList();
        var names = _labs.SelectMany(l => new[] { l.AcNs, l.HomeNs, l.ServerSideIf, l.ClientSideIf }).Concat(_links).ToList();
        return (pids, names);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Each step on its own: one failure must not leave the rest behind.
        foreach (var p in _processes) Try(p.Dispose);
        foreach (var c in _captures) Try(c.Dispose);
        foreach (var link in _links)
            Try(() => NetnsLab.Run("ip", new[] { "link", "del", link }, TimeSpan.FromSeconds(5)));
        foreach (var lab in _labs) Try(lab.Dispose);
        Try(() => { if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true); });
    }

    private static void Try(Action a)
    {
        try { a(); }
        catch (Exception) { /* best effort: keep cleaning up the rest */ }
    }
}

/// <summary>Lab tests share the machine's two cores and tcpdump's view of loopback: run them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TunnelLabCollection
{
    public const string Name = "tunnel netns lab";
}
