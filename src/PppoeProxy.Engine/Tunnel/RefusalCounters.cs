using System.Collections.Concurrent;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// Connections the server refused, by cause ("refused-tunnels", "refused-allow-list"...): the log
/// says a flood is going on at most once a second, these say how big it is, in `status --json` and
/// the metrics. Causes are constants, so the table stays small; not on the frame path.
/// </summary>
public sealed class RefusalCounters
{
    private const int MaxCauses = 32;
    private readonly ConcurrentDictionary<string, StrongBox> _counts = new(StringComparer.Ordinal);

    private sealed class StrongBox { public long Value; }

    public void Count(string cause)
    {
        if (!_counts.TryGetValue(cause, out var box))
            box = _counts.Count < MaxCauses ? _counts.GetOrAdd(cause, _ => new StrongBox()) : _counts.GetOrAdd("refused-other", _ => new StrongBox());
        Interlocked.Increment(ref box.Value);
    }

    public IReadOnlyDictionary<string, long> Snapshot() =>
        _counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => Interlocked.Read(ref kv.Value.Value));
}
