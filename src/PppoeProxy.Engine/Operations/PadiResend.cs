using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Operations;

/// <summary>
/// The watcher's re-sent PADIs, a little after the PADT instead of with it: the AC ends a session when its
/// session process exits, after the PADT, and an AC that allows one session per MAC (pppoe-server -x 1)
/// ignores a PADI that arrives before that, so the client waited for its own next retry (5 s in rp-pppoe;
/// measured in the lab: the PADI 1 ms after the PADT was ignored, the session came 6.3 s after the restart).
/// Sent at <see cref="DelaysMs"/> after the PADT until the AC offers (a PADO to that client): bounded, few.
/// </summary>
internal sealed class PadiResend
{
    public static readonly int[] DelaysMs = { 250, 1000, 2000 };
    public const int MaxPending = 64;

    private sealed class Entry
    {
        public required byte[] Frame { get; init; }
        public required ulong Client { get; init; }
        public required long StartMs { get; init; }
        public int Sent { get; set; }
    }

    private readonly object _gate = new();
    private readonly List<Entry> _pending = new();
    private volatile int _count;

    /// <summary>Takes a copy; false when <see cref="MaxPending"/> are waiting already (the client's own retry will do).</summary>
    public bool Add(ReadOnlySpan<byte> padi, MacAddress client, long nowMs)
    {
        lock (_gate)
        {
            _pending.RemoveAll(e => e.Client == client.Value);
            if (_pending.Count >= MaxPending) return false;
            _pending.Add(new Entry { Frame = padi.ToArray(), Client = client.Value, StartMs = nowMs });
            _count = _pending.Count;
            return true;
        }
    }

    /// <summary>The AC answered the client (PADO): its PADI needs no more help. Cheap when nothing waits.</summary>
    public void Answered(MacAddress client)
    {
        if (_count == 0) return;
        lock (_gate)
        {
            _pending.RemoveAll(e => e.Client == client.Value);
            _count = _pending.Count;
        }
    }

    /// <summary>Sends what is due through <paramref name="send"/>.</summary>
    public void SendDue(long nowMs, Func<byte[], string?> send, Action<MacAddress, string> failed)
    {
        if (_count == 0) return;
        List<Entry>? due = null;
        lock (_gate)
        {
            foreach (var entry in _pending)
            {
                if (nowMs - entry.StartMs < DelaysMs[entry.Sent]) continue;
                entry.Sent++;
                (due ??= new()).Add(entry);
            }
            _pending.RemoveAll(e => e.Sent >= DelaysMs.Length);
            _count = _pending.Count;
        }
        if (due is null) return;
        foreach (var entry in due)
            if (send(entry.Frame) is { } error) failed(new MacAddress(entry.Client), error);
    }
}
