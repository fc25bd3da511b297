using System.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Capture;

/// <summary>A [Fact] that is skipped, saying why, unless the test process runs as root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public const string SkipReason = "needs root (CAP_NET_RAW) and network namespaces";

    public RootFactAttribute()
    {
        if (!ExternalTool.IsRoot) Skip = SkipReason;
    }
}

/// <summary>Runs the independent tools (tshark, editcap, scapy, ip) the tests compare against.</summary>
internal static class ExternalTool
{
    public const string Python = "/usr/bin/python3";

    // Effective uid from /proc avoids a libc P/Invoke just for geteuid().
    public static bool IsRoot { get; } = File.Exists("/proc/self/status")
        && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            ?.Split('\t', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 3 } uid
        && uid[2] == "0";

    public static string Run(string file, params string[] args)
    {
        var (exitCode, stdout, stderr) = TryRun(file, args);
        if (exitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {exitCode}: {stderr.Trim()}");
        return stdout;
    }

    public static (int ExitCode, string Stdout, string Stderr) TryRun(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 60 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a scapy snippet; frames are handed over as hex so the script needs no escaping.</summary>
    public static string Scapy(string script, params string[] args) =>
        Run(Python, new[] { "-c", "from scapy.all import *\nimport sys\n" + script }.Concat(args).ToArray());
}

/// <summary>A temp directory deleted with the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ppxcap-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Ethernet frames the capture tests send and expect. Source MAC is unique per instance so a test
/// only counts its own frames.
/// </summary>
internal sealed class TestFrames
{
    public static readonly byte[] Broadcast = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    public byte[] SourceMac { get; } = { 0x02, 0x50, 0x50, (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256) };
    public byte[] PeerMac { get; } = { 0x02, 0x41, 0x43, 0x00, 0x00, 0x01 };

    /// <summary>PADI: PPPoE discovery, untagged, broadcast, with a Service-Name tag.</summary>
    public byte[] Discovery => Ethernet(Broadcast, 0x8863, Pppoe(0x09, 0x0000, new byte[] { 0x01, 0x01, 0x00, 0x00 }));

    /// <summary>PPPoE session frame carrying an LCP echo request.</summary>
    public byte[] Session => Ethernet(PeerMac, 0x8864, Pppoe(0x00, 0x1234, LcpEcho));

    /// <summary>Session frame under one 802.1Q tag (VLAN 100).</summary>
    public byte[] SessionOneTag => Ethernet(PeerMac, new[] { (0x8100, 100) }, 0x8864, Pppoe(0x00, 0x1234, LcpEcho));

    /// <summary>PADI under 802.1ad outer tag (VLAN 200) plus 802.1Q inner tag (VLAN 300).</summary>
    public byte[] DiscoveryTwoTags => Ethernet(Broadcast, new[] { (0x88a8, 200), (0x8100, 300) }, 0x8863, Pppoe(0x09, 0, new byte[] { 0x01, 0x01, 0x00, 0x00 }));

    /// <summary>Session frame under two tags.</summary>
    public byte[] SessionTwoTags => Ethernet(PeerMac, new[] { (0x88a8, 200), (0x8100, 300) }, 0x8864, Pppoe(0x00, 0x4321, LcpEcho));

    /// <summary>Session frame under two 802.1Q tags (the older QinQ style some access networks use).</summary>
    public byte[] SessionTwo8021QTags => Ethernet(PeerMac, new[] { (0x8100, 10), (0x8100, 20) }, 0x8864, Pppoe(0x00, 0x0042, LcpEcho));

    /// <summary>Session frame under a pre-standard 0x9100 outer tag (the kernel leaves it in the data).</summary>
    public byte[] Session9100Outer => Ethernet(PeerMac, new[] { (0x9100, 30), (0x8100, 40) }, 0x8864, Pppoe(0x00, 0x0043, LcpEcho));

    /// <summary>IPv4/UDP to a TEST-NET address on our veth only; must be filtered out.</summary>
    public byte[] Ipv4 => Ethernet(PeerMac, 0x0800, new byte[] {
        0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2, 0x30, 0x39, 0x30, 0x39, 0, 8, 0, 0 });

    /// <summary>ARP request; must be filtered out.</summary>
    public byte[] Arp => Ethernet(Broadcast, 0x0806, new byte[] {
        0, 1, 8, 0, 6, 4, 0, 1, 2, 0x50, 0x50, 0, 0, 1, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 192, 0, 2, 2 });

    /// <summary>One-tag IPv4 frame; must be filtered out even though it is VLAN-tagged.</summary>
    public byte[] Ipv4OneTag => Ethernet(PeerMac, new[] { (0x8100, 100) }, 0x0800, Ipv4.AsSpan(14).ToArray());

    public byte[][] Pppoe4 => new[] { Discovery, Session, SessionOneTag, DiscoveryTwoTags };
    public byte[][] NonPppoe => new[] { Ipv4, Arp, Ipv4OneTag };

    private static readonly byte[] LcpEcho = { 0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 0x11, 0x22, 0x33, 0x44 };

    private static byte[] Pppoe(byte code, ushort sessionId, byte[] payload)
    {
        var body = new byte[6 + payload.Length];
        body[0] = 0x11;
        body[1] = code;
        body[2] = (byte)(sessionId >> 8);
        body[3] = (byte)sessionId;
        body[4] = (byte)(payload.Length >> 8);
        body[5] = (byte)payload.Length;
        payload.CopyTo(body, 6);
        return body;
    }

    private byte[] Ethernet(byte[] destination, ushort etherType, byte[] payload) =>
        Ethernet(destination, Array.Empty<(int, int)>(), etherType, payload);

    private byte[] Ethernet(byte[] destination, (int Tpid, int Vid)[] tags, ushort etherType, byte[] payload)
    {
        var frame = new List<byte>();
        frame.AddRange(destination);
        frame.AddRange(SourceMac);
        foreach (var (tpid, vid) in tags) frame.AddRange(new[] { (byte)(tpid >> 8), (byte)tpid, (byte)(vid >> 8), (byte)vid });
        frame.Add((byte)(etherType >> 8));
        frame.Add((byte)etherType);
        frame.AddRange(payload);
        while (frame.Count < 60) frame.Add(0); // pad to the Ethernet minimum, as a NIC would
        return frame.ToArray();
    }
}
