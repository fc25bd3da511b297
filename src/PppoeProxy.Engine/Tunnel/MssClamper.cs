using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// An end's MSS clamp: every TCP SYN it forwards, either way, whose MSS option is larger than the session's
/// MTU allows gets it lowered (so SYN and SYN-ACK both: each side announces what it can receive, and each
/// may be behind a PPPoE MTU it does not know of). Idempotent, so both ends may clamp. Off: one branch per
/// frame. On: a few header bytes read per session frame; a copy, an edit and a session lookup per SYN only.
/// Counters are thread-safe: the capture thread and every tunnel's reader call it.
/// </summary>
public sealed class MssClamper
{
    private const int Ipv4Overhead = 40, Ipv6Overhead = 60;
    private long _clamped, _alreadySmall, _noMssOption, _unchecked;

    public MssClamper(MssClampSetting setting) => Setting = setting;

    public MssClampSetting Setting { get; }
    public bool IsOn => !Setting.IsOff;

    /// <summary>
    /// Clamps <paramref name="parsed"/> (a valid frame, as the tracker saw it) when it is a SYN to clamp.
    /// <paramref name="source"/> holds the bytes about to be sent, laid out as <paramref name="parsed"/> (the same
    /// frame, or its rewrite-mode copy, which may already be <paramref name="scratch"/>). Returns the length of the
    /// clamped copy in <paramref name="scratch"/>, or -1: send <paramref name="source"/> unchanged.
    /// </summary>
    /// <param name="tracker">For auto: the session's MTU, looked up for SYNs only.</param>
    public int Clamp(in FrameView parsed, ReadOnlySpan<byte> source, Span<byte> scratch, SessionTracker tracker)
    {
        if (Setting.IsOff) return -1;
        switch (TcpMss.Probe(parsed, out int mssOffset, out int checksumOffset, out bool ipv6))
        {
            case TcpSynProbe.NotTcpSyn:
                return -1;
            case TcpSynProbe.Unchecked:
                Interlocked.Increment(ref _unchecked);
                return -1;
            case TcpSynProbe.NoMssOption:
                Interlocked.Increment(ref _noMssOption);
                return -1;
        }
        int mtu = Setting.FixedMss is int fixedMss ? fixedMss + Ipv4Overhead : tracker.MtuOf(parsed);
        int limit = Math.Max(MssClampSetting.MinMss, mtu - (ipv6 ? Ipv6Overhead : Ipv4Overhead));
        if (source.Length != parsed.Bytes.Length || source.Length > scratch.Length)
        {
            Interlocked.Increment(ref _unchecked); // no caller does this; never edit bytes we did not parse
            return -1;
        }
        if (TcpMss.Read(source, mssOffset) <= limit)
        {
            Interlocked.Increment(ref _alreadySmall);
            return -1;
        }
        source.CopyTo(scratch); // a no-op copy when source already is the scratch (rewrite mode)
        TcpMss.Write(scratch, mssOffset, checksumOffset, (ushort)limit);
        Interlocked.Increment(ref _clamped);
        return source.Length;
    }

    public MssClampStatus Snapshot() => IsOn
        ? new(Setting.ToString(), Interlocked.Read(ref _clamped), Interlocked.Read(ref _alreadySmall),
            Interlocked.Read(ref _noMssOption), Interlocked.Read(ref _unchecked))
        : MssClampStatus.Off;
}
