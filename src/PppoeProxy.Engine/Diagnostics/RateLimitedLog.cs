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

    // Lock-free: Due runs on the frame path, once per refused frame of a flood.
    private sealed class Slot
    {
        public long NextAllowedMs = long.MinValue;
        public long Suppressed;
        public int Level = (int)LogLevel.Information;
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
        if (!Due(cause, level)) return false;
        WriteDue(level, cause, message, args);
        return true;
    }

    /// <summary>
    /// True when a line of <paramref name="cause"/> may be written now, and the caller must then write it with
    /// <see cref="WriteDue"/>; otherwise one more line is counted as held back. No allocation and no lock: a
    /// caller on the frame path asks this first, so a flood formats nothing and boxes no argument.
    /// </summary>
    public bool Due(string cause, LogLevel level = LogLevel.Warning)
    {
        var slot = SlotFor(cause);
        long now = _clockMs(), next = Volatile.Read(ref slot.NextAllowedMs);
        if (now >= next && Interlocked.CompareExchange(ref slot.NextAllowedMs, now + _intervalMs, next) == next) return true;
        Interlocked.Increment(ref slot.Suppressed);
        Volatile.Write(ref slot.Level, (int)level);
        Interlocked.Increment(ref _totalSuppressed);
        return false;
    }

    /// <summary>The line a <see cref="Due"/> of the same cause allowed, with the count of those held back before it.</summary>
    public void WriteDue(LogLevel level, string cause, string message, params object?[] args)
    {
        long suppressed = Interlocked.Exchange(ref SlotFor(cause).Suppressed, 0);
        if (suppressed == 0)
        {
            _log.Log(level, message, args);
            return;
        }
        var withCount = new object?[args.Length + 1];
        args.CopyTo(withCount, 0);
        withCount[^1] = suppressed;
        _log.Log(level, message + " (and {Suppressed} more like it, not logged)", withCount);
    }

    /// <summary>Reports held-back lines whose interval is over and that no new line carried out.</summary>
    public void Flush()
    {
        long now = _clockMs();
        foreach (var (cause, slot) in _slots)
        {
            long next = Volatile.Read(ref slot.NextAllowedMs);
            if (Volatile.Read(ref slot.Suppressed) == 0 || now < next) continue;
            // The report takes the cause's turn, so a line racing it waits for the next interval.
            if (Interlocked.CompareExchange(ref slot.NextAllowedMs, now + _intervalMs, next) != next) continue;
            long suppressed = Interlocked.Exchange(ref slot.Suppressed, 0);
            if (suppressed > 0)
                _log.Log((LogLevel)Volatile.Read(ref slot.Level), "{Suppressed} more lines of kind {Cause} not logged", suppressed, cause);
        }
    }

    private Slot SlotFor(string cause)
    {
        if (_slots.TryGetValue(cause, out var slot)) return slot;
        if (_slots.Count >= MaxCauses) cause = OverflowCause;
        return _slots.GetOrAdd(cause, _ => new Slot());
    }
}
