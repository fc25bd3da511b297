namespace PppoeProxy.Engine.Tunnel;

/// <summary>Why a frame was not forwarded. Every drop is counted under one of these.</summary>
public enum DropReason
{
    /// <summary>The tunnel's send queue was full: the tunnel could not keep up.</summary>
    QueueFull,
    /// <summary>The client had no tunnel up when the frame was captured.</summary>
    Disconnected,
    /// <summary>A frame from the AC to a MAC no tunnel owns.</summary>
    UnknownDestination,
    /// <summary>A tunnel sent a frame whose source MAC another live tunnel owns.</summary>
    SpoofedSource,
    /// <summary>The source MAC's sessions are held for a tunnel with another certificate.</summary>
    HeldForOtherPeer,
    /// <summary>A frame to a client whose tunnel dropped: its sessions are held for the grace period.</summary>
    HeldSession,
    /// <summary>Rewrite mode: a discovery answer without our Relay-Session-Id, or a session we never set up.</summary>
    NotRelayed,
    /// <summary>Rewrite mode: a PADI or PADR from a tunnel that already carries a Relay-Session-Id (rp-pppoe drops these too).</summary>
    AlreadyRelayed,
    Malformed,
    /// <summary>Injection on the interface failed.</summary>
    InjectFailed,
    /// <summary>The kernel's capture ring was full: the proxy did not read fast enough (from pcap_stats).</summary>
    CaptureOverflow,
}

/// <summary>Frame and byte counters for one direction pair plus drops by reason; safe across threads.</summary>
public sealed class TunnelCounters
{
    private long _framesToTunnel, _bytesToTunnel, _framesFromTunnel, _bytesFromTunnel;
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];

    public long FramesToTunnel => Volatile.Read(ref _framesToTunnel);
    public long BytesToTunnel => Volatile.Read(ref _bytesToTunnel);
    public long FramesFromTunnel => Volatile.Read(ref _framesFromTunnel);
    public long BytesFromTunnel => Volatile.Read(ref _bytesFromTunnel);

    public void CountToTunnel(int bytes)
    {
        Interlocked.Increment(ref _framesToTunnel);
        Interlocked.Add(ref _bytesToTunnel, bytes);
    }

    public void CountFromTunnel(int bytes)
    {
        Interlocked.Increment(ref _framesFromTunnel);
        Interlocked.Add(ref _bytesFromTunnel, bytes);
    }

    public void Drop(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);

    /// <summary>For counts kept elsewhere (the kernel's capture drops): sets the running total.</summary>
    public void SetDrops(DropReason reason, long total) => Volatile.Write(ref _drops[(int)reason], total);

    public long Drops(DropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    /// <summary>Adds another counter's totals to this one (a closed tunnel's, into its end's totals).</summary>
    public void Absorb(TunnelCounters other)
    {
        Interlocked.Add(ref _framesToTunnel, other.FramesToTunnel);
        Interlocked.Add(ref _bytesToTunnel, other.BytesToTunnel);
        Interlocked.Add(ref _framesFromTunnel, other.FramesFromTunnel);
        Interlocked.Add(ref _bytesFromTunnel, other.BytesFromTunnel);
        for (int i = 0; i < _drops.Length; i++) Interlocked.Add(ref _drops[i], other.Drops((DropReason)i));
    }

    public long TotalDrops => _drops.Sum();

    /// <summary>Non-zero drop counts by name, for stats lines and JSON.</summary>
    public IReadOnlyDictionary<string, long> DropsByReason() => Enum.GetValues<DropReason>()
        .Where(r => Drops(r) > 0).ToDictionary(r => r.ToString(), Drops);

    public TunnelCountersSnapshot Snapshot() => new(FramesToTunnel, BytesToTunnel, FramesFromTunnel, BytesFromTunnel, DropsByReason());

    public override string ToString() => Snapshot().ToString();
}

public sealed record TunnelCountersSnapshot(long FramesToTunnel, long BytesToTunnel, long FramesFromTunnel, long BytesFromTunnel,
    IReadOnlyDictionary<string, long> Drops)
{
    /// <summary>Frame, byte and drop counts added up, drops by reason.</summary>
    public static TunnelCountersSnapshot Sum(IEnumerable<TunnelCountersSnapshot> parts)
    {
        long framesTo = 0, bytesTo = 0, framesFrom = 0, bytesFrom = 0;
        var drops = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            framesTo += part.FramesToTunnel; bytesTo += part.BytesToTunnel;
            framesFrom += part.FramesFromTunnel; bytesFrom += part.BytesFromTunnel;
            foreach (var (reason, count) in part.Drops) drops[reason] = drops.GetValueOrDefault(reason) + count;
        }
        // In the enum's order, as a single counter lists them.
        return new(framesTo, bytesTo, framesFrom, bytesFrom,
            Enum.GetNames<DropReason>().Where(drops.ContainsKey).ToDictionary(name => name, name => drops[name]));
    }

    [System.Text.Json.Serialization.JsonIgnore] public string DropsText => Drops.Count == 0 ? "0" : string.Join(" ", Drops.Select(d => $"{d.Key}={d.Value}"));

    public override string ToString() =>
        $"to-tunnel {FramesToTunnel} frames/{BytesToTunnel} B, from-tunnel {FramesFromTunnel} frames/{BytesFromTunnel} B, drops {DropsText}";
}
