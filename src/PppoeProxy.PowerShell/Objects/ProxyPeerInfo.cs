using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.PowerShell;

/// <summary>
/// One tunnel of a proxy job, flat: counters as plain numbers and the client MACs as a list that
/// reads "a,b", so Format-List, ConvertTo-Json and Export-Csv show values, not type names.
/// </summary>
public sealed class ProxyPeerInfo
{
    public ProxyPeerInfo(PeerStatus peer)
    {
        Id = peer.Id;
        Name = peer.Name;
        Fingerprint = peer.Fingerprint;
        ConnectedAt = peer.ConnectedAt;
        Connected = peer.Connected;
        FramesToTunnel = peer.Counters.FramesToTunnel;
        BytesToTunnel = peer.Counters.BytesToTunnel;
        FramesFromTunnel = peer.Counters.FramesFromTunnel;
        BytesFromTunnel = peer.Counters.BytesFromTunnel;
        Drops = peer.Counters.DropsText;
        ClientMacs = new MacAddressList(peer.ClientMacs);
    }

    public long Id { get; }
    /// <summary>The peer's address, and its certificate name when TLS authenticated it.</summary>
    public string Name { get; }
    public string? Fingerprint { get; }
    public DateTimeOffset ConnectedAt { get; }
    public bool Connected { get; }
    public long FramesToTunnel { get; }
    public long BytesToTunnel { get; }
    public long FramesFromTunnel { get; }
    public long BytesFromTunnel { get; }
    /// <summary>Drops by reason, e.g. "queue-full=3"; "0" when none.</summary>
    public string Drops { get; }
    /// <summary>PPPoE clients whose sessions this tunnel carries (server side).</summary>
    public MacAddressList ClientMacs { get; }

    public override string ToString() => $"{Name} ({(Connected ? "connected" : "gone")}): to-tunnel {FramesToTunnel} frames, from-tunnel {FramesFromTunnel} frames, drops {Drops}";
}
