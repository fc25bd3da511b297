using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Guard;

/// <summary>A client MAC that restarted discovery while the tracker holds live sessions for it: being judged.</summary>
internal sealed class GuardCase(MacAddress client, uint vlan, long startedMs, string trigger, List<GuardCandidate> candidates)
{
    // A discovery frame is small; anything longer is not kept (it is forwarded at once instead).
    public const int MaxFrame = 1600;

    public MacAddress Client { get; } = client;
    public uint Vlan { get; } = vlan;
    public long StartedMs { get; } = startedMs;
    public string Trigger { get; } = trigger;
    public List<GuardCandidate> Candidates { get; } = candidates;
    public int ProbesSent { get; set; }
    /// <summary>Set once judged: when the held (or remembered) discovery goes on.</summary>
    public long? ReleaseAtMs { get; set; }
    public long NextProbeMs { get; set; } = startedMs;

    /// <summary>Proxy ends: the client's latest discovery frame, released after the verdict (a repeat replaces it).</summary>
    public byte[]? Held { get; private set; }
    public int HeldLength { get; private set; }
    /// <summary>The watcher: the client's latest PADI, sent again after a PADT so the client need not wait for its next retry.</summary>
    public byte[]? Padi { get; private set; }
    public int PadiLength { get; private set; }

    public ReadOnlySpan<byte> HeldFrame => Held.AsSpan(0, HeldLength);
    public ReadOnlySpan<byte> PadiFrame => Padi.AsSpan(0, PadiLength);

    public void Hold(ReadOnlySpan<byte> frame)
    {
        frame.CopyTo(Held ??= new byte[MaxFrame]);
        HeldLength = frame.Length;
    }

    public void RememberPadi(ReadOnlySpan<byte> frame)
    {
        frame.CopyTo(Padi ??= new byte[MaxFrame]);
        PadiLength = frame.Length;
    }
}
