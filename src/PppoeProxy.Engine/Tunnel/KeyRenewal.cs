namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// When the client renews a UDP tunnel's keys (a fresh DTLS association, see
/// <see cref="ClientOptions.DefaultRekeyInterval"/>): after the interval or the frame count, one
/// attempt at a time, a failed one retried a minute later; also, for any UDP tunnel, when the server
/// fell silent (a restarted server lost the association). TCP never: it notices a restart at once.
/// </summary>
internal sealed class KeyRenewal(ClientOptions options, long nowTicks)
{
    private static readonly long RetryMillis = 60_000;
    /// <summary>How long past a keepalive its answer may take before the server counts as silent.</summary>
    private static readonly TimeSpan SilenceMargin = TimeSpan.FromSeconds(3);
    private long _since = nowTicks;
    private long _notBefore;

    public Task<TunnelLink>? Pending { get; set; }
    /// <summary>Why the pending association was started, in two words: the old tunnel's goodbye.</summary>
    public string Goodbye { get; private set; } = "keys renewed";

    /// <summary>Why a fresh association is due now, or null.</summary>
    public string? Due(TunnelLink link, long now)
    {
        if (options.Transport != TunnelTransportKind.Udp || Pending is not null || now < _notBefore) return null;
        // A restarted server has forgotten our association and stays silent (an unauthenticated "reset" would
        // let anyone end tunnels): after one unanswered keepalive, try a fresh one beside the old.
        if (link.SinceLastReceived > options.KeepAlive + SilenceMargin)
        {
            Goodbye = "server was silent";
            return "the server is silent (restarted?): trying a fresh association beside the old one";
        }
        if (options.Security is null) return null;
        long frames = link.Counters.FramesToTunnel + link.Counters.FramesFromTunnel; // each link counts from zero
        Goodbye = "keys renewed";
        return now - _since >= options.RekeyInterval.TotalMilliseconds || frames >= options.RekeyFrames
            ? "renewing the tunnel's keys: a fresh DTLS handshake (DTLS 1.2 has no key update)"
            : null;
    }

    public void Renewed(long now) => _since = now;

    /// <summary>The tunnel ended while a renewal was under way: its association is not needed.</summary>
    public void Abandon()
    {
        Pending?.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Close("not needed"); }, TaskScheduler.Default);
        Pending = null;
    }

    public void Failed(long now) => _notBefore = now + RetryMillis;
}
