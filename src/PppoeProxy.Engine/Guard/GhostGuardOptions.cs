namespace PppoeProxy.Engine.Guard;

/// <summary>How the ghost guard decides (see <see cref="GhostGuard"/>). The defaults suit both proxy ends and the watcher.</summary>
public sealed class GhostGuardOptions
{
    public bool Enabled { get; init; } = true;
    /// <summary>Decide and log as usual, but send no PADT and re-send no discovery (the harmless echo probes still go out).</summary>
    public bool DryRun { get; init; }
    /// <summary>
    /// How long a client has to answer the probes before its old session counts as a ghost. 1.5 s: a live client
    /// that stalls for a second (a busy router) still answers in time (the hostile probe ended one paused 1.5 s
    /// when this was 1 s), and a restarted one still redials within 5 s (2 s made it 3.4-4.7 s in the lab under load).
    /// </summary>
    public TimeSpan ProbeWindow { get; init; } = TimeSpan.FromSeconds(1.5);
    /// <summary>LCP Echo-Requests sent, evenly over the window: lost frames must not end a live session.</summary>
    public int ProbeCount { get; init; } = 3;
    /// <summary>
    /// The AC's Echo-Requests left unanswered since the client's last frame that end the session without
    /// probing: pppd's own lcp-echo-failure default is 4 and a live client answers every one.
    /// </summary>
    public int UnansweredAcEchoesForGhost { get; init; } = 3;
    /// <summary>
    /// After a PADT, the held discovery waits this long: an AC may need a moment to free the session (pppoe-server
    /// counts it until its session process is reaped, and ignored a PADI sent right behind the PADT).
    /// </summary>
    public TimeSpan SettleAfterPadt { get; init; } = TimeSpan.FromMilliseconds(300);
    /// <summary>A session whose client answered is not probed again for this long (a client opening a second service).</summary>
    public TimeSpan AliveVerdictFor { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Client MACs being judged at once; discovery past it is forwarded unguarded (and counted).</summary>
    public int MaxPending { get; init; } = 64;
}
