namespace PppoeProxy.Engine.Guard;

/// <summary>
/// How an end sends what the guard decides, all called from the thread that runs
/// <see cref="GhostGuard.Poll"/> (the capture thread: the only producer of a tunnel's send ring).
/// </summary>
public interface IGuardActions
{
    /// <summary>A frame from the client's MAC toward the AC (a PADT, or the watcher's re-sent PADI); null when sent, else why not.
    /// An end that rewrites client MACs rewrites these as it does the client's own frames.</summary>
    string? SendTowardAc(ReadOnlySpan<byte> frame);

    /// <summary>A probe (LCP Echo-Request from the AC's MAC) toward the client; null when sent, else why not.</summary>
    string? SendTowardClient(ReadOnlySpan<byte> frame);

    /// <summary>A discovery frame the guard held (proxy ends), sent on its way after the verdict.</summary>
    void Release(ReadOnlySpan<byte> heldDiscovery);
}
