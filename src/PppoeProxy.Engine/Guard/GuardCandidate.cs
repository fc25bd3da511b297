using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Guard;

/// <summary>One established session of a client that restarted discovery, and what the guard learnt of it.</summary>
internal sealed class GuardCandidate(PppoeSession session)
{
    /// <summary>The tracker's live entry: its counters move while the guard waits.</summary>
    public PppoeSession Session { get; } = session;
    /// <summary>Frames from the client when discovery began: any more mean the client still runs the session.</summary>
    public long ClientFramesAtStart { get; } = session.FramesFromClient;
    public int AcEchoesUnanswered { get; } = session.AcEchoesSinceClientSpoke;
    public DateTimeOffset? LastFromClient { get; } = session.LastFromClient;
    /// <summary>Probes that went out: with none, silence proves nothing (the client was never asked).</summary>
    public int ProbesDelivered { get; set; }
    /// <summary>The window ended with no probe delivered: neither ghost nor alive, so nothing is sent.</summary>
    public bool Unasked { get; set; }
    public bool Ghost { get; set; }
    public bool Alive { get; set; }
    /// <summary>Ended meanwhile by someone else (its own PADT, the AC's): nothing to do.</summary>
    public bool Gone { get; set; }
    public bool Decided => Ghost || Alive || Gone || Unasked;
}
