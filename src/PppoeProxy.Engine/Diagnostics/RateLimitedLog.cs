using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PppoeProxy.Engine.Diagnostics;

/// <summary>
/// Log lines an attacker cannot flood: at most one line per cause per interval (1 s by default);
/// what is held back is counted and reported with the next line of that cause, or by
/// <see cref="Flush"/> (called from the ends' 250 ms loops) once the interval is over.
/// A cause is a constant the caller names ("refused-busy", "mac-conflict"), never a peer address,
/// so the set of causes stays small; past <see cref="MaxCauses"/> they share one slot anyway.
/// </summary>
public sealed class RateLimitedLog
{
    public const int MaxCauses = 128;
    private const string OverflowCause = "other";

    private readonly ILogger _log;
    private readonly long _intervalMs;
    private readonly Func<long> _clockMs;
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    private sealed class Slot
    {
        public long NextAllowedMs = long.MinValue;
        public long Suppressed;
        public LogLevel Level;
    }

    public RateLimitedLog(ILogger log, TimeSpan? interval = null, Func<long>? clockMs = null)
    {
        _log = log;
        _intervalMs = (long)(interval ?? TimeSpan.FromSeconds(1)).TotalMilliseconds;
        _clockMs = clockMs ?? (() => Environment.TickCount64);
    }

    public ILogger Inner => _log;

    /// <summary>Lines held back so far, over all causes (for tests and metrics).</summary>
    public long TotalSuppressed => Interlocked.Read(ref _totalSuppressed);
    private long _totalSuppressed;

    public bool Warning(string cause, string message, params object?[] args) => Write(LogLevel.Warning, cause, message, args);
    public bool Information(string cause, string message, params object?[] args) => Write(LogLevel.Information, cause, message, args);
    public bool Error(string cause, string message, params object?[] args) => Write(LogLevel.Error, cause, message, args);

    /// <summary>Writes the line unless its cause already wrote one this interval; returns whether it was written.</summary>
    public bool Write(LogLevel level, string cause, string message, params object?[] args)
    {
        var slot = SlotFor(cause);
        long now = _clockMs();
        long suppressed;
        lock (slot)
        {
            if (now < slot.NextAllowedMs)
            {
                slot.Suppressed++;
                slot.Level = level;
                Interlocked.Increment(ref _totalSuppressed);
                return false;
            }
            slot.NextAllowedMs = now + _intervalMs;
            suppressed = slot.Suppressed;
            slot.Suppressed = 0;
        }
        if (suppressed == 0)
        {
            _log.Log(level, message, args);
            return true;
        }
        var withCount = new object?[args.Length + 1];
        args.CopyTo(withCount, 0);
        withCount[^1] = suppressed;
        _log.Log(level, message + " (and {Suppressed} more like it, not logged)", withCount);
        return true;
    }

    /// <summary>Reports held-back lines whose interval is over and that no new line carried out.</summary>
    public void Flush()
    {
        long now = _clockMs();
        foreach (var (cause, slot) in _slots)
        {
            long suppressed;
            LogLevel level;
            lock (slot)
            {
                if (slot.Suppressed == 0 || now < slot.NextAllowedMs) continue;
                suppressed = slot.Suppressed;
                level = slot.Level;
                slot.Suppressed = 0;
                slot.NextAllowedMs = now + _intervalMs;
            }
            _log.Log(level, "{Suppressed} more lines of kind {Cause} not logged", suppressed, cause);
        }
    }

    private Slot SlotFor(string cause)
    {
        if (_slots.TryGetValue(cause, out var slot)) return slot;
        if (_slots.Count >= MaxCauses) cause = OverflowCause;
        return _slots.GetOrAdd(cause, _ => new Slot());
    }
}
