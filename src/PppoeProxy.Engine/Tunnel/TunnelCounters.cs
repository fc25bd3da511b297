namespace PppoeProxy.Engine.Tunnel;

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

    /// <summary>Several at once, or a correction (-1: a UDP datagram counted lost arrived late).</summary>
    public void Drop(DropReason reason, long count) => Interlocked.Add(ref _drops[(int)reason], count);

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
