namespace PppoeProxy.PowerShell.Jobs;

/// <summary>
/// Appends to a list that someone else drains (a PowerShell job's Output, read by Receive-Job) and
/// keeps it at most <see cref="Capacity"/> long by dropping the oldest items: an unread job must not
/// grow without limit, and the newest frames are the interesting ones.
/// </summary>
public sealed class DropOldestWriter<T>
{
    private readonly IList<T> _target;
    private readonly object _gate = new();
    private long _dropped;

    public DropOldestWriter(IList<T> target, int capacity)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), "capacity must be at least 1");
        _target = target;
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Items removed unread because the list was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Add(T item)
    {
        lock (_gate)
        {
            _target.Add(item);
            // The reader may drain concurrently, so re-check the count on every removal.
            while (_target.Count > Capacity)
            {
                try { _target.RemoveAt(0); }
                catch (ArgumentOutOfRangeException) { break; }
                Interlocked.Increment(ref _dropped);
            }
        }
    }
}
