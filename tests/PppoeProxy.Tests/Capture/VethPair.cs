namespace PppoeProxy.Tests.Capture;

/// <summary>
/// A veth pair for live capture tests: <see cref="Local"/> stays in the root namespace (where the
/// test process and LiveCapture run), <see cref="Peer"/> lives in its own network namespace, so
/// whatever the peer sends can only arrive on Local. Names carry a random suffix; Dispose removes
/// everything (deleting one veth end deletes both).
/// </summary>
internal sealed class VethPair : IDisposable
{
    public string Namespace { get; }
    public string Local { get; }
    public string Peer { get; }

    public VethPair(bool up = true)
    {
        var suffix = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..6];
        // The lab prefix (PPX_LAB_PREFIX) first, so runs sharing a machine never touch each other's links:
        // "pxp" + suffix was another run's whole prefix.
        string prefix = Integration.NetnsLab.LabPrefix;
        Namespace = $"{prefix}cap-{suffix}";
        Local = $"{prefix}l{suffix}";
        Peer = $"{prefix}r{suffix}";
        try
        {
            ExternalTool.Run("ip", "netns", "add", Namespace);
            ExternalTool.Run("ip", "link", "add", Local, "type", "veth", "peer", "name", Peer, "netns", Namespace);
            // No IPv6 on the local end: it would only add router/neighbour chatter to the wire.
            ExternalTool.TryRun("sysctl", "-qw", $"net.ipv6.conf.{Local}.disable_ipv6=1");
            if (up)
            {
                ExternalTool.Run("ip", "link", "set", Local, "up");
                InPeerNamespace("ip", "link", "set", Peer, "up");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string InPeerNamespace(string file, params string[] args) =>
        ExternalTool.Run("ip", new[] { "netns", "exec", Namespace, file }.Concat(args).ToArray());

    /// <summary>Sends raw frames out of the peer end with scapy, an injector independent of our code.</summary>
    public void SendFromPeer(IEnumerable<byte[]> frames) =>
        InPeerNamespace(ExternalTool.Python, new[] { "-c",
            "from scapy.all import *\nimport sys\nsendp([Raw(bytes.fromhex(h)) for h in sys.argv[2:]], iface=sys.argv[1], verbose=False)",
            Peer }.Concat(frames.Select(Convert.ToHexString)).ToArray());

    public long PeerReceivedPackets() =>
        long.Parse(InPeerNamespace("cat", $"/sys/class/net/{Peer}/statistics/rx_packets").Trim());

    public void Dispose()
    {
        ExternalTool.TryRun("ip", "link", "del", Local);
        ExternalTool.TryRun("ip", "netns", "del", Namespace);
    }
}
