namespace PppoeProxy.Engine.Sessions;

/// <summary>What one <see cref="SessionTracker.Sweep"/> removed.</summary>
/// <param name="Expired">Ended sessions and unfinished discoveries past their retention: the normal case.</param>
/// <param name="Evicted">Ended sessions and unfinished discoveries removed early because the table was full.</param>
/// <param name="EvictedIdle">Established sessions removed because the table was full and they had been silent for
/// <see cref="SessionTracker.IdleEvictionAge"/> (a live session is never removed).</param>
public readonly record struct SessionSweep(int Expired, int Evicted, int EvictedIdle);
