using System.Text.RegularExpressions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// tcpdump writing a pcap (in a namespace or the root one) for the duration of a test step.
/// Evidence is read afterwards: raw bytes (is this string anywhere on the wire?) or tcpdump's
/// own one-line decoding with link-level headers (which MACs and session ids appeared).
/// </summary>
public sealed partial class PacketCapture : IDisposable
{
    private readonly ProxyProcess _tcpdump;
    public string File { get; }

    private PacketCapture(string file, ProxyProcess tcpdump) { File = file; _tcpdump = tcpdump; }

    /// <summary>Starts capturing and returns once tcpdump says it is listening. ns null = root namespace.</summary>
    public static PacketCapture Start(string? ns, string iface, string filter, string dir)
    {
        var file = Path.Combine(dir, $"cap-{iface}-{Guid.NewGuid():N}.pcap");
        // -U: write each packet at once, so a SIGTERM'd capture holds everything seen so far.
        // --immediate-mode: without it libpcap buffers up to a second, and frames from just before Stop()
        // are lost, so a "does not contain" check could pass on a capture that simply ended early.
        var tcpdumpArgs = new[] { "-i", iface, "--immediate-mode", "-U", "-n", "-w", file, filter };
        var p = ns is null
            ? ProxyProcess.Start($"tcpdump {iface}", "tcpdump", tcpdumpArgs)
            : ProxyProcess.Start($"tcpdump {ns}/{iface}", "ip", new[] { "netns", "exec", ns, "tcpdump" }.Concat(tcpdumpArgs).ToArray());
        var capture = new PacketCapture(file, p);
        try { p.WaitForLog("listening on", TimeSpan.FromSeconds(10)); }
        catch { capture.Dispose(); throw; }
        return capture;
    }

    /// <summary>Ends the capture (SIGTERM flushes the file).</summary>
    public void Stop() => _tcpdump.Stop(TimeSpan.FromSeconds(5));

    public byte[] Bytes()
    {
        Stop();
        return System.IO.File.ReadAllBytes(File);
    }

    public bool Contains(string ascii) => Bytes().AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(ascii)) >= 0;
    public bool Contains(byte[] pattern) => Bytes().AsSpan().IndexOf(pattern) >= 0;

    /// <summary>tcpdump -e decoding, one line per frame: "SRC > DST, ethertype PPPoE ...".</summary>
    public IReadOnlyList<string> Lines()
    {
        Stop();
        var r = NetnsLab.Run("tcpdump", new[] { "-r", File, "-n", "-e", "-t" }, TimeSpan.FromSeconds(15));
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Source and destination MAC of every frame.</summary>
    public IReadOnlyList<(string Src, string Dst, string Line)> Frames() => Lines()
        .Select(l => (Match: FrameLine().Match(l), Line: l))
        .Where(x => x.Match.Success)
        .Select(x => (x.Match.Groups[1].Value, x.Match.Groups[2].Value, x.Line))
        .ToList();

    public void Dispose()
    {
        _tcpdump.Dispose();
        try { System.IO.File.Delete(File); } catch (IOException) { }
    }

    [GeneratedRegex(@"^([0-9a-f:]{17}) > ([0-9a-f:]{17}),")]
    private static partial Regex FrameLine();
}
