namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// When the client renews a UDP tunnel's keys (a fresh DTLS association, see
/// <see cref="ClientOptions.DefaultRekeyInterval"/>): after the interval or the frame count, one
/// attempt at a time, a failed one retried a minute later. TCP (TLS 1.3) and plain text never.
/// </summary>
internal sealed class KeyRenewal(ClientOptions options, long nowTicks)
{
    private static readonly long RetryMillis = 60_000;
    private long _since = nowTicks;
    private long _notBefore;

    public Task<TunnelLink>? Pending { get; set; }

    public bool Due(TunnelLink link, long now)
    {
        if (options.Transport != TunnelTransportKind.Udp || options.Security is null || Pending is not null || now < _notBefore) return false;
        long frames = link.Counters.FramesToTunnel + link.Counters.FramesFromTunnel; // each link counts from zero
        return now - _since >= options.RekeyInterval.TotalMilliseconds || frames >= options.RekeyFrames;
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
